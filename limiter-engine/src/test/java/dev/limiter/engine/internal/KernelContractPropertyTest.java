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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The contract composite decisions rely on, for every kernel: peek predicts tryAcquire without
 * writing, acquire decides and writes exactly as tryAcquire does (two copies of the state kept in
 * lockstep stay byte-identical), and an acquire refunded at once changes no later decision.
 */
class KernelContractPropertyTest {
    private static final String[] KINDS = {"token bucket", "fixed window", "sliding window", "concurrency", "quota"};

    static final class Step {
        final long dt;
        final long permits;
        final boolean refund;

        Step(long dt, long permits, boolean refund) {
            this.dt = dt;
            this.permits = permits;
            this.refund = refund;
        }

        @Override
        public String toString() {
            return "+" + dt + " p" + permits + (refund ? " refunded" : "");
        }
    }

    static final class Case {
        final int kind;
        final long n;
        final long t;
        final List<Step> steps;

        Case(int kind, long n, long t, List<Step> steps) {
            this.kind = kind;
            this.n = n;
            this.t = t;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return KINDS[kind] + " N=" + n + " T=" + t + "ns, steps " + steps;
        }
    }

    static Gen<Case> cases() {
        return integers().between(0, KINDS.length - 1).zip(longs().between(1, 10).mix(longs().between(1, 1L << 36), 15),
                longs().between(16, 10_000), (kind, n, t) -> new long[] {kind, n, t}).flatMap(s -> {
                    Gen<Step> step = longs().between(0, 0).mix(longs().between(0, s[2] / 4), 50)
                            .mix(longs().between(0, 3 * s[2]), 10)
                            .zip(longs().between(1, Math.min(s[1], 4)).mix(longs().between(1, s[1]), 20),
                                    integers().between(0, 3), (dt, p, r) -> new Step(dt, p, r == 0));
                    return lists().of(step).ofSizeBetween(1, 80)
                            .map(steps -> new Case((int) s[0], s[1], s[2], steps));
                });
    }

    static Kernel kernel(Case c) {
        Duration t = Duration.ofNanos(c.t);
        switch (c.kind) {
            case 0:
                return new GcraKernel(Limit.tokenBucket("k", c.n, t).build());
            case 1:
                return new FixedWindowKernel(Limit.fixedWindow("k", c.n, t).build());
            case 2:
                return new SlidingWindowKernel(Limit.slidingWindow("k", c.n, t).subWindows(4).build());
            case 3:
                return new ConcurrencyKernel(Limit.concurrency("k", Math.min(c.n, 1000), t).build());
            default:
                return new QuotaKernel(Limit.quota("k", c.n).build());
        }
    }

    @Test
    void peekAcquireAndRefundAgreeWithTryAcquire() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES).forAll(cases()).checkAssert(c -> {
            Kernel k = kernel(c);
            int bytes = 8 * k.stateWords();
            UnsafeBuffer a = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
            UnsafeBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
            Decision da = new Decision();
            Decision db = new Decision();
            boolean identical = true;                 // until a refund: then only decisions must agree
            long now = -5 * c.t;
            for (Step s : c.steps) {
                now += s.dt;
                if (s.permits > k.maxPermits()) {
                    continue;
                }
                byte[] before = copy(a);
                long peeked = Steps.peek(k, a, 0, s.permits, now, null);
                assertArrayEquals(before, copy(a), "peek wrote to the state");
                if (s.refund) {
                    long token = Steps.acquire(k, b, 0, s.permits, now, db);
                    if (token != Kernel.DENIED) {
                        Steps.refund(k, b, 0, s.permits, token, now);
                        identical = false;
                    }
                    assertEquals(peeked == 0, token != Kernel.DENIED, () -> "peek and acquire disagree: " + s);
                    continue;
                }
                boolean granted = Steps.tryAcquire(k, a, 0, s.permits, now, da);
                long token = Steps.acquire(k, b, 0, s.permits, now, db);
                assertEquals(granted, token != Kernel.DENIED, () -> "acquire and tryAcquire disagree: " + s);
                assertEquals(peeked == 0, granted, () -> "peek and tryAcquire disagree: " + s);
                assertEquals(da.outcome(), db.outcome());
                assertEquals(da.remaining(), db.remaining());
                if (!granted) {
                    assertTrue(peeked > 0 && da.retryAfterNanos() > 0, da::toString);
                }
                if (identical) {
                    assertArrayEquals(copy(a), copy(b), () -> "acquire wrote differently from tryAcquire: " + s);
                }
            }
        });
    }

    private static byte[] copy(UnsafeBuffer b) {
        byte[] out = new byte[b.capacity()];
        b.getBytes(0, out);
        return out;
    }
}
