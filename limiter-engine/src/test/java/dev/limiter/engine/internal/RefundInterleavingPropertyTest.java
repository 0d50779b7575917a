package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Refunds never over-admit, whatever the interleaving. Each kernel operation (acquire, refund) is
 * one linearisable CAS, so every concurrent run of composite decisions is some interleaving of
 * them: here generated interleavings take permits (pending), let time pass and other requests in,
 * then refund or keep each pending grant - the refund arriving late, after idle gaps and rolls.
 * The kept grants must satisfy the guarantee sentence (token bucket: every interval, any order of
 * time stamps; windows: every window, time moving forward; quota: the total).
 */
class RefundInterleavingPropertyTest {
    private static final String[] KINDS = {"token bucket", "sliding window", "fixed window", "quota"};

    /** kind 0: acquire (pending); 1: refund pending #pick; 2: keep pending #pick. */
    static final class Op {
        final int kind;
        final long dt;
        final boolean back;
        final int key;
        final long permits;
        final int pick;

        Op(int kind, long dt, boolean back, int key, long permits, int pick) {
            this.kind = kind;
            this.dt = dt;
            this.back = back;
            this.key = key;
            this.permits = permits;
            this.pick = pick;
        }

        @Override
        public String toString() {
            String t = (back ? "-" : "+") + dt + " ";
            return t + (kind == 0 ? "k" + key + " p" + permits : (kind == 1 ? "refund#" : "keep#") + pick);
        }
    }

    static final class Case {
        final int algorithm;
        final long n;
        final long t;
        final List<Op> ops;

        Case(int algorithm, long n, long t, List<Op> ops) {
            this.algorithm = algorithm;
            this.n = n;
            this.t = t;
            this.ops = ops;
        }

        @Override
        public String toString() {
            return KINDS[algorithm] + " N=" + n + " T=" + t + "ns, ops " + ops;
        }
    }

    static Gen<Case> cases() {
        return integers().between(0, KINDS.length - 1).zip(longs().between(1, 8).mix(longs().between(1, 10_000), 10),
                longs().between(8, 5_000), (a, n, t) -> new long[] {a, n, t}).flatMap(s -> {
                    long t = s[2];
                    Gen<Long> dts = longs().between(0, 0).mix(longs().between(0, t / 3), 50).mix(longs().between(0, 3 * t), 15);
                    Gen<Op> op = integers().between(0, 5).zip(dts, booleans().all().mix(booleans().all().map(x -> false), 85),
                            (kind, dt, back) -> new long[] {kind, dt, back && s[0] == 0 ? 1 : 0})   // time goes back for GCRA only
                            .zip(integers().between(0, 1), longs().between(1, Math.min(s[1], 3)).mix(longs().between(1, s[1]), 20),
                                    integers().between(0, 100), (a, key, p, pick) ->
                                            new Op(a[0] < 3 ? 0 : (int) (a[0] - 2) % 2 + 1, a[1], a[2] == 1, key, p, pick));
                    return lists().of(op).ofSizeBetween(1, 100).map(ops -> new Case((int) s[0], s[1], t, ops));
                });
    }

    private static Kernel kernel(Case c) {
        Duration t = Duration.ofNanos(c.t);
        switch (c.algorithm) {
            case 0:
                return new GcraKernel(Limit.tokenBucket("k", c.n, t).build());
            case 1:
                return new SlidingWindowKernel(Limit.slidingWindow("k", c.n, t).subWindows(3).build());
            case 2:
                return new FixedWindowKernel(Limit.fixedWindow("k", c.n, t).build());
            default:
                return new QuotaKernel(Limit.quota("k", c.n).build());
        }
    }

    @Test
    void keptGrantsSatisfyTheGuaranteeWhateverTheRefundInterleaving() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES).forAll(cases()).checkAssert(c -> {
            Kernel k = kernel(c);
            int stride = 8 * k.stateWords();
            UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * stride));
            List<long[]> pending = new ArrayList<>();          // {key, permits, token, time}
            List<long[]> kept = new ArrayList<>();
            long now = 1_000 * c.t;
            for (Op op : c.ops) {
                now += op.back ? -op.dt : op.dt;
                if (op.kind == 0) {
                    long token = Steps.acquire(k, buffer, stride * op.key, op.permits, now, null);
                    if (token != Kernel.DENIED) {
                        pending.add(new long[] {op.key, op.permits, token, now});
                    }
                } else if (!pending.isEmpty()) {
                    long[] g = pending.remove(op.pick % pending.size());
                    if (op.kind == 1) {
                        Steps.refund(k, buffer, stride * (int) g[0], g[1], g[2], now);
                    } else {
                        kept.add(g);
                    }
                }
            }
            kept.addAll(pending);
            String violation;
            switch (c.algorithm) {
                case 0: {
                    List<AdmissionOracle.Grant> grants = new ArrayList<>();
                    kept.forEach(g -> grants.add(new AdmissionOracle.Grant(g[0], g[3], g[1])));
                    violation = AdmissionOracle.tokenBucketViolation(grants, c.n, c.t, c.n);
                    break;
                }
                case 1: {
                    List<AdmissionOracle.Grant> grants = new ArrayList<>();
                    kept.forEach(g -> grants.add(new AdmissionOracle.Grant(g[0], g[3], g[1])));
                    violation = AdmissionOracle.slidingWindowViolation(grants, c.n, c.t);
                    break;
                }
                case 2: {
                    List<AdmissionOracle.Grant> grants = new ArrayList<>();
                    kept.forEach(g -> grants.add(new AdmissionOracle.Grant(g[0], g[3], g[1])));
                    violation = AdmissionOracle.fixedWindowViolation(grants, c.n, c.t);
                    break;
                }
                default: {
                    long[] total = new long[2];
                    kept.forEach(g -> total[(int) g[0]] += g[1]);
                    violation = total[0] > c.n || total[1] > c.n ? "quota totals " + total[0] + ", " + total[1] : null;
                }
            }
            assertNull(violation);
            assertTrue(kept.size() <= c.ops.size());
        });
    }
}
