package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Decision;
import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The concurrency guarantee - at every instant, permits held by leases that are neither released
 * nor older than the maximum hold time H are at most N - checked at every acquire against an
 * oracle over the recorded leases; and the reclaim promise checked from the other side: whenever
 * the leases not released and younger than 2H leave room, the kernel must admit.
 */
class ConcurrencyKernelPropertyTest {
    private static final int KEYS = 2;

    /** One operation: time moves, then an acquire of p on key, or the release of lease #pick. */
    static final class Op {
        final long dt;
        final boolean back;
        final boolean release;
        final int key;
        final long permits;
        final int pick;

        Op(long dt, boolean back, boolean release, int key, long permits, int pick) {
            this.dt = dt;
            this.back = back;
            this.release = release;
            this.key = key;
            this.permits = permits;
            this.pick = pick;
        }

        @Override
        public String toString() {
            return (back ? "-" : "+") + dt + (release ? " release#" + pick : " k" + key + " p" + permits);
        }
    }

    static final class Case {
        final long permits;
        final long hold;
        final long start;
        final List<Op> ops;

        Case(long permits, long hold, long start, List<Op> ops) {
            this.permits = permits;
            this.hold = hold;
            this.start = start;
            this.ops = ops;
        }

        @Override
        public String toString() {
            return "N=" + permits + ", H=" + hold + "ns, start " + start + ", ops " + ops;
        }
    }

    static Gen<Case> cases() {
        Gen<Long> n = longs().between(1, 8).mix(longs().between(1, 1_000), 20)
                .mix(longs().between(1, ConcurrencyKernel.MAX_IN_FLIGHT), 10);
        Gen<Long> h = longs().between(1, 1_000).mix(longs().between(1_000, 100_000_000_000L), 40)
                .mix(longs().between(1L << 58, Long.MAX_VALUE), 5);
        return n.zip(h, (permits, hold) -> new long[] {permits, hold}).flatMap(s -> {
            long permits = s[0];
            long hold = s[1];
            int c = 64 - Long.numberOfLeadingZeros(permits);
            long jump = Math.min(1L << 40, TimeMath.multiplySaturated(1L << (64 - 2 * c - 12), hold));
            Gen<Long> dts = longs().between(0, 0).mix(longs().between(0, Math.max(1, hold / 2)), 40)
                    .mix(longs().between(0, Math.max(1, Math.min(3 * hold, jump))), 30)
                    .mix(longs().between(0, jump), 5);
            Gen<Long> asks = longs().between(1, Math.min(permits, 3)).mix(longs().between(1, permits + 1), 30);
            Gen<Op> op = dts.zip(booleans().all().mix(booleans().all().map(b -> false), 90), integers().between(0, 99),
                    asks, (dt, back, kind, p) -> new long[] {dt, back ? 1 : 0, kind, p})
                    .zip(integers().between(0, KEYS - 1), integers().between(0, 1_000), (a, key, pick) ->
                            new Op(a[0], a[1] == 1, a[2] < 35, key, a[3], pick));
            return Traces.starts().zip(lists().of(op).ofSizeBetween(1, 150), (start, ops) -> new Case(permits, hold, start, ops));
        });
    }

    static final class Held {
        final int key;
        final long permits;
        final long token;
        final long acquired;
        boolean released;

        Held(int key, long permits, long token, long acquired) {
            this.key = key;
            this.permits = permits;
            this.token = token;
            this.acquired = acquired;
        }
    }

    @Test
    void heldNeverExceedsNAndLeasesAreReclaimedWithinTwoHoldTimes() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES).forAll(cases())
                .checkAssert(ConcurrencyKernelPropertyTest::check);
    }

    static void check(Case c) {
        Limit limit = Limit.concurrency("c", c.permits, Duration.ofNanos(c.hold)).build();
        ConcurrencyKernel kernel = new ConcurrencyKernel(limit);
        UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * KEYS));
        List<Held> leases = new ArrayList<>();
        // per-key monotonic time: acquires act at max(now, the key's latest acquire) - that is what
        // the kernel counts in - and every event happens no earlier than the key's latest event
        long[] acquireTime = new long[KEYS];
        long[] eventTime = new long[KEYS];
        boolean[] seen = new boolean[KEYS];
        Decision d = new Decision();
        long now = c.start;
        for (Op op : c.ops) {
            now = op.back ? TimeMath.addSaturated(now, -op.dt) : TimeMath.addSaturated(now, op.dt);
            if (op.release) {
                if (leases.isEmpty()) {
                    continue;
                }
                Held l = leases.get(op.pick % leases.size());
                if (l.released) {
                    continue;                        // the Lease object makes a second release a no-op
                }
                Steps.release(kernel, buffer, 8 * l.key, l.permits, l.token, now);
                l.released = true;
                eventTime[l.key] = Math.max(now, eventTime[l.key]);
                continue;
            }
            if (op.permits > c.permits) {
                continue;                            // unsatisfiable: refused before the kernel
            }
            long ta = seen[op.key] ? Math.max(now, acquireTime[op.key]) : now;
            long t = seen[op.key] ? Math.max(ta, eventTime[op.key]) : ta;
            long peeked = Steps.peek(kernel, buffer, 8 * op.key, op.permits, now, null);
            long token = Steps.acquire(kernel, buffer, 8 * op.key, op.permits, now, d);
            assertEquals(peeked == 0, token != 0, () -> "peek and acquire disagree for " + op);
            long held = 0;
            long upper = 0;
            for (Held l : leases) {
                if (l.key != op.key || l.released) {
                    continue;
                }
                if (Long.compareUnsigned(t - l.acquired, c.hold) < 0) {
                    held += l.permits;               // still inside its hold time: must count
                }
                if (Long.compareUnsigned(ta - l.acquired, c.hold << 1) < 0) {   // exact unsigned 2H
                    upper += l.permits;              // may still count: reclaimed by 2H at the latest
                }
            }
            if (token != 0) {
                if (held + op.permits > c.permits) {
                    fail("at t=" + t + " key " + op.key + " holds " + held + " permits younger than H; granting "
                            + op.permits + " more exceeds N=" + c.permits);
                }
                leases.add(new Held(op.key, op.permits, token, ta));
                seen[op.key] = true;
                acquireTime[op.key] = ta;
                eventTime[op.key] = t;
                assertTrue(d.allowed() && d.remaining() >= 0, d::toString);
            } else {
                final long room = upper;
                assertTrue(upper + op.permits > c.permits, () -> "denied at t=" + ta + " with only " + room
                        + " permits held by leases younger than 2H, N=" + c.permits + ": " + op);
                assertTrue(d.retryAfterNanos() > 0, d::toString);
            }
        }
    }
}
