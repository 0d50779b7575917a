package dev.limiter.demo;

import dev.limiter.ManualClock;
import dev.limiter.FixedLimitException;
import dev.limiter.policy.PolicyEvaluator;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Verdict;
import dev.limiter.policy.shipped.ContextIoLite;
import dev.limiter.policy.shipped.NylasV2;
import dev.limiter.policy.shipped.NylasV3;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shipped policies end to end: a simulated Nylas v3 request stream through the gate, the 429
 * a denial produces, Nylas v2's concurrency limit, and Context.IO's limit that refuses overrides.
 *
 * <p>Time is simulated with a manual clock so that the admitted and denied counts are the same on
 * every machine; the wall-clock rate of decisions is measured as well.
 */
final class PolicyTour {
    private static final String[][] SHAPES = {
        {"GET", "/v3/grants/%s/messages", null},
        {"GET", "/v3/grants/%s/messages/m-17", null},
        {"POST", "/v3/grants/%s/messages/send", "application/json"},
        {"POST", "/v3/grants/%s/messages/send", "multipart/form-data; boundary=b"},
        {"GET", "/v3/grants/%s/threads", null},
        {"GET", "/v3/grants/%s/events", null},
        {"GET", "/v3/grants/%s/contacts", null},
        {"GET", "/v3/webhooks", null},
    };

    private PolicyTour() {
    }

    static void run() {
        nylasV3Stream();
        nylasV2Concurrency();
        contextIoImapIsFixed();
    }

    /** 10 simulated seconds at 40,000 requests per second from 8 applications over 100 grants. */
    private static void nylasV3Stream() {
        ManualClock clock = new ManualClock();
        Request[] stream = new Request[8_192];
        for (int i = 0; i < stream.length; i++) {
            String[] s = SHAPES[i % SHAPES.length];
            Request.Builder b = Request.of(s[0], String.format(s[1], "grant-" + (i * 31) % 100))
                    .header("Authorization", "Bearer app-" + i % 8);
            if (s[2] != null) {
                b.header("Content-Type", s[2]);
            }
            stream[i] = b.build();
        }
        try (PolicyGate gate = PolicyGate.of(NylasV3.policy(), clock)) {
            PolicyEvaluator evaluator = gate.newEvaluator();
            Map<String, Integer> deniedBy = new TreeMap<>();
            Verdict sample = null;
            long requests = 400_000;
            long admitted = 0;
            long start = System.nanoTime();
            for (long i = 0; i < requests; i++) {
                long now = clock.advance(25_000);                 // 40,000 requests per simulated second
                Verdict v = evaluator.evaluate(stream[(int) (i & (stream.length - 1))], now);
                if (v.allowed()) {
                    admitted++;
                } else {
                    deniedBy.merge(v.rule().name(), 1, Integer::sum);
                    if (sample == null && v.rule().name().equals("nylas3-send-multipart")) {
                        sample = gate.evaluate(stream[3], now);     // a verdict of its own, to keep
                    }
                }
                v.complete();                                     // done with it: the evaluator may reuse it
            }
            long elapsed = System.nanoTime() - start;
            System.out.printf("%nNylas v3 policy: %,d requests over 10 simulated seconds, %,.0f decisions/s of wall time"
                    + " (one thread)%n  admitted %,d, denied %,d: %s%n", requests, requests * 1e9 / elapsed, admitted,
                    requests - admitted, deniedBy);
            if (sample != null) {
                System.out.println("  a denied multipart send answers " + sample.status() + " " + sample.headers()
                        + "\n  " + sample.body());
            }
        }
    }

    /** Ten concurrent /delta/streaming connections per account; the eleventh waits for a slot. */
    private static void nylasV2Concurrency() {
        ManualClock clock = new ManualClock();
        try (PolicyGate gate = PolicyGate.of(NylasV2.policy(), clock)) {
            Request stream = Request.of("GET", "/delta/streaming").header("Authorization", "Bearer account-1")
                    .attribute("application", "app-1").build();
            Verdict[] open = new Verdict[10];
            for (int i = 0; i < open.length; i++) {
                clock.advance(Duration.ofMillis(200));
                open[i] = gate.evaluate(stream);
            }
            clock.advance(Duration.ofMillis(200));
            Verdict eleventh = gate.evaluate(stream);
            open[0].complete();
            clock.advance(Duration.ofMillis(200));
            Verdict afterRelease = gate.evaluate(stream);
            System.out.printf("%nNylas v2 /delta/streaming: 10 open -> the 11th is %s (%s); after one completes: %s%n",
                    eleventh.allowed() ? "admitted" : "denied " + eleventh.status(), eleventh.message(),
                    afterRelease.allowed() ? "admitted" : "denied");
            afterRelease.complete();
            for (int i = 1; i < open.length; i++) {
                open[i].complete();
            }
        }
    }

    /** Context.IO's IMAP limit "cannot be lifted": raising it is refused, and nothing changes. */
    private static void contextIoImapIsFixed() {
        try (PolicyGate gate = PolicyGate.of(ContextIoLite.policy(), new ManualClock())) {
            try {
                gate.raise("cio-imap", 1_000, "user-1");
                System.out.println("\nContext.IO: the IMAP limit was raised, which must not happen");
            } catch (FixedLimitException refused) {
                System.out.println("\nContext.IO: raising the IMAP limit is refused: " + refused.getMessage());
            }
        }
    }
}
