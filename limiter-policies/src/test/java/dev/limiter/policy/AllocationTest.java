package dev.limiter.policy;

import dev.limiter.ManualClock;
import dev.limiter.policy.shipped.NylasV3;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route matching plus the engine decision of an admitted Nylas v3 request allocates nothing, on
 * the off-heap engine, measured with the JVM's per-thread allocation counter.
 */
class AllocationTest {
    private static final int ROUNDS = 200_000;

    /** A mixed Nylas v3 stream over 64 grants and 8 API keys. */
    static RequestView[] nylasV3Stream() {
        String[][] shapes = {
            {"GET", "/v3/grants/%s/messages?limit=10", null},
            {"GET", "/v3/grants/%s/messages/m-17", null},
            {"POST", "/v3/grants/%s/messages/send", "application/json"},
            {"POST", "/v3/grants/%s/messages/send", "multipart/form-data; boundary=b"},
            {"GET", "/v3/grants/%s/threads", null},
            {"GET", "/v3/grants/%s/events?calendar_id=primary", null},
            {"GET", "/v3/grants/%s/contacts", null},
            {"GET", "/v3/grants/%s", null},
            {"GET", "/v3/webhooks", null},
            {"POST", "/v3/connect/token", null},
        };
        RequestView[] out = new RequestView[1_024];
        for (int i = 0; i < out.length; i++) {
            String[] s = shapes[i % shapes.length];
            Request.Builder b = Request.of(s[0], String.format(s[1], "grant-" + (i * 7) % 64))
                    .header("Authorization", "Bearer key-" + i % 8);
            if (s[2] != null) {
                b.header("Content-Type", s[2]);
            }
            out[i] = b.build();
        }
        return out;
    }

    @Test
    void anAdmittedNylasV3DecisionAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        RequestView[] stream = nylasV3Stream();
        try (PolicyGate gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(1_024)
                .build()) {
            long best = leastBytesOfAdmittedRuns(gate, stream);
            assertEquals(0, best, "bytes allocated by " + ROUNDS + " admitted decisions");
        }
    }

    /** The same stream, every request spelled as an adversary would: canonicalisation allocates nothing either. */
    static RequestView[] adversarialStream() {
        String[][] shapes = {
            {"get", "/v3/grants/./%s/messages?limit=10", null},
            {"GET", "/V3/grants/x/../%s/messages/m-17/", null},
            {"Post", "//v3//grants/%s;v=1/messages/send", "application/json"},
            {"POST", "/v3/grants/%s/messages/%%73end", "multipart/form-data; boundary=b"},
            {"GET", "/v3/grants/%s/%%74hreads", null},
            {"head", "/v3/grants/%s/events/%%2e?calendar_id=primary", null},
            {"GET", "/v3/grants/%s/resources", null},
            {"GET", "/v3/grants/me/contacts", null},
            {"GET", "/v3/WEBHOOKS", null},
            {"POST", "/v3/connect/auth?client_id=app-%s", null},
        };
        RequestView[] out = new RequestView[1_024];
        for (int i = 0; i < out.length; i++) {
            String[] s = shapes[i % shapes.length];
            Request.Builder b = Request.of(s[0], String.format(s[1], "grant-" + (i * 7) % 64))
                    .header("Authorization", (i % 2 == 0 ? "bearer " : " Bearer  ") + "key-" + i % 8)
                    .header("Content-Type", s[2]);
            if (i % 10 == 9) {
                b.header("Authorization", null);
            }
            out[i] = b.build();
        }
        return out;
    }

    @Test
    void anAdversariallySpelledAdmittedDecisionAllocatesNothing() {
        RequestView[] stream = adversarialStream();
        try (PolicyGate gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(1_024)
                .build()) {
            long best = leastBytesOfAdmittedRuns(gate, stream);
            assertEquals(0, best, "bytes allocated by " + ROUNDS + " canonicalised, admitted decisions");
        }
    }

    @Test
    void aDeniedDecisionAllocatesNothingUntilItIsRendered() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RequestView[] stream = nylasV3Stream();
        try (PolicyGate gate = PolicyGate.builder(NylasV3.policy()).clock(new ManualClock()).defaultCapacity(1_024)
                .build()) {
            long best = Long.MAX_VALUE;
            int denied = 0;
            for (int attempt = 0; attempt < 5; attempt++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUNDS; i++) { // all at one instant: after the first few, all denied
                    Verdict v = gate.evaluate(stream[i & (stream.length - 1)], 0);
                    denied += v.allowed() ? 0 : 1;
                    v.complete();
                }
                best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertTrue(denied > 4 * ROUNDS, "denied " + denied);
            assertEquals(0, best, "bytes allocated by " + ROUNDS + " mostly denied decisions");
        }
    }

    /** Nylas v3 with every other rule in shadow mode (or the whole policy, when {@code all}). */
    static Policy withShadows(boolean all) {
        Policy base = NylasV3.policy();
        Policy.Builder p = Policy.named(base.name()).version(base.version()).errorType(base.errorType()).shadow(all);
        for (int i = 0; i < base.rules().size(); i++) {
            Rule r = base.rules().get(i);
            p.rule(i % 2 == 0 ? r.toBuilder().shadow(true).build() : r);
        }
        return p.build();
    }

    @Test
    void anAdmittedDecisionWithShadowRulesAndCountersAllocatesNothing() {
        RequestView[] stream = nylasV3Stream();
        try (PolicyGate gate = PolicyGate.builder(withShadows(false)).clock(new ManualClock()).defaultCapacity(1_024)
                .build()) {
            long best = leastBytesOfAdmittedRuns(gate, stream);
            long shadowAdmitted = 0;
            for (int i = 0; i < gate.policy().rules().size(); i += 2) {
                shadowAdmitted += gate.counters(gate.policy().rules().get(i).name()).admitted();
            }
            assertEquals(0, best, "bytes allocated by " + ROUNDS + " admitted decisions with shadow rules");
            assertTrue(shadowAdmitted > 0, "the shadow rules were decided and counted: " + shadowAdmitted);
        }
    }

    @Test
    void aShadowDeniedDecisionAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RequestView[] stream = nylasV3Stream();
        try (PolicyGate gate = PolicyGate.builder(withShadows(true)).clock(new ManualClock()).defaultCapacity(1_024)
                .build()) {
            long best = Long.MAX_VALUE;
            int shadowDenied = 0;
            for (int attempt = 0; attempt < 5; attempt++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUNDS; i++) { // all at one instant: after the first few, all would be denied
                    Verdict v = gate.evaluate(stream[i & (stream.length - 1)], 0);
                    shadowDenied += v.allowed() && v.shadowDenied() ? 1 : 0;
                    v.complete();
                }
                best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertTrue(shadowDenied > 4 * ROUNDS, "shadow-denied " + shadowDenied);
            assertEquals(0, best, "bytes allocated by " + ROUNDS + " shadow-denied decisions");
        }
    }

    /** Evaluates ROUNDS requests, 1 ms apart, so that no limit is reached; returns those admitted. */
    /**
     * Best of five: each attempt runs the stream once to warm up (JIT, thread-local evaluator, key
     * slots), then once measured, a second apart so that every request is admitted; a measured run
     * may include one-off allocations by the JIT compiler, hence the least of five.
     *
     * @return the fewest bytes this thread allocated in one measured run of {@link #ROUNDS} decisions
     */
    private static long leastBytesOfAdmittedRuns(PolicyGate gate, RequestView[] stream) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long span = ROUNDS * 1_000_000L + 1_000_000_000L;
        long start = 0;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            int admitted = run(gate, stream, start);
            start += span;
            long before = threads.getCurrentThreadAllocatedBytes();
            admitted += run(gate, stream, start);
            long after = threads.getCurrentThreadAllocatedBytes();
            start += span;
            assertEquals(2L * ROUNDS, admitted, "every request of the stream is admitted");
            best = Math.min(best, after - before);
        }
        return best;
    }

    private static int run(PolicyGate gate, RequestView[] stream, long start) {
        int admitted = 0;
        for (int i = 0; i < ROUNDS; i++) {
            Verdict v = gate.evaluate(stream[i & (stream.length - 1)], start + i * 1_000_000L);
            if (v.allowed()) {
                admitted++;
            }
            v.complete();
        }
        return admitted;
    }
}
