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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The quota guarantee - total granted &le; N until an operator resets or raises it - and the
 * cardinality guarantee - distinct members admitted under a parent &le; N until a reset - checked
 * on generated traces of acquires, admissions, resets and per-key raises/lowers against plain
 * models (a counter; a set per parent): every decision must match, so neither over- nor
 * under-admits.
 */
class QuotaKernelPropertyTest {
    private static final int KEYS = 2;
    private static final int MEMBERS = 6;

    /** kind 0-6 acquire/admit, 7 reset, 8 override to {@code value}; key; permits or member. */
    static final class Op {
        final int kind;
        final int key;
        final long value;

        Op(int kind, int key, long value) {
            this.kind = kind;
            this.key = key;
            this.value = value;
        }

        @Override
        public String toString() {
            return (kind == 7 ? "reset k" + key : kind == 8 ? "override k" + key + "=" + value : "k" + key + " v" + value);
        }
    }

    static Gen<List<Op>> ops(long n) {
        Gen<Long> values = longs().between(1, Math.min(n, 4)).mix(longs().between(1, n + 1), 40)
                .mix(longs().between(1, Math.max(1, 2 * n)), 10);
        return lists().of(integers().between(0, 8).zip(integers().between(0, KEYS - 1), values, Op::new))
                .ofSizeBetween(1, 120);
    }

    static Gen<Long> limits() {
        return longs().between(1, 10).mix(longs().between(1, 1_000_000), 20).mix(longs().between(1, Limit.MAX_PERMITS), 10);
    }

    /** A limit and a trace, printed readably when shrunk. */
    static final class Case {
        final long n;
        final List<Op> ops;

        Case(long n, List<Op> ops) {
            this.n = n;
            this.ops = ops;
        }

        @Override
        public String toString() {
            return "N=" + n + ", ops " + ops;
        }
    }

    @Test
    void quotaGrantsExactlyUpToNBetweenResets() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES)
                .forAll(limits().flatMap(n -> ops(n).map(ops -> new Case(n, ops))))
                .checkAssert(c -> quota(c.n, c.ops));
    }

    @Test
    void cardinalityAdmitsAtMostNDistinctMembersPerParent() {
        qt().withExamples(SlidingWindowKernelPropertyTest.EXAMPLES)
                .forAll(longs().between(1, 5).mix(longs().between(1, 1000), 10)
                        .flatMap(n -> ops(MEMBERS - 1).map(ops -> new Case(n, ops))))
                .checkAssert(c -> cardinality(c.n, c.ops));
    }

    private static void quota(long n, List<Op> ops) {
        Limit limit = Limit.quota("q", n).build();
        QuotaKernel base = new QuotaKernel(limit);
        Kernel[] kernels = {base, base};
        UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * KEYS));
        long[] used = new long[KEYS];
        long[] grantedThisEpoch = new long[KEYS];
        Decision d = new Decision();
        for (Op op : ops) {
            int off = 8 * op.key;
            if (op.kind == 7) {
                Steps.reset(base, buffer, off);
                used[op.key] = 0;
                grantedThisEpoch[op.key] = 0;
            } else if (op.kind == 8) {
                kernels[op.key] = base.withLimit(limit.withPermits(Math.min(Limit.MAX_PERMITS, op.value)));
            } else {
                Kernel k = kernels[op.key];
                long cap = k.limit().permits();
                if (op.value > k.maxPermits()) {
                    continue;
                }
                boolean expected = used[op.key] + op.value <= cap;
                assertEquals(expected ? 0 : Decision.NEVER, Steps.peek(k, buffer, off, op.value, 0, null));
                long token = Steps.acquire(k, buffer, off, op.value, 0, d);
                assertEquals(expected, token != 0, () -> "quota decision for " + op);
                if (expected) {
                    used[op.key] += op.value;
                    grantedThisEpoch[op.key] += op.value;
                    assertEquals(cap - used[op.key], d.remaining());
                    if (op.kind == 6) {                 // sometimes give it back, as a composite denial does
                        Steps.refund(k, buffer, off, op.value, token, 0);
                        used[op.key] -= op.value;
                        grantedThisEpoch[op.key] -= op.value;
                    }
                }
                assertTrue(grantedThisEpoch[op.key] <= Math.max(cap, used[op.key]));
            }
            assertEquals(used[op.key], Steps.used(base, buffer, off), "state disagrees with the model");
        }
    }

    private static void cardinality(long n, List<Op> ops) {
        Limit limit = Limit.cardinality("card", n).build();
        CardinalityKernel base = new CardinalityKernel(limit);
        CardinalityKernel[] kernels = {base, base};
        UnsafeBuffer parents = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * KEYS));
        UnsafeBuffer members = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * KEYS * MEMBERS));
        @SuppressWarnings({"unchecked", "rawtypes"})
        java.util.Set<Long>[] admitted = new java.util.Set[] {new java.util.HashSet<Long>(), new java.util.HashSet<Long>()};
        Decision d = new Decision();
        for (Op op : ops) {
            int off = 8 * op.key;
            if (op.kind == 7) {
                Steps.reset(base, parents, off);
                admitted[op.key].clear();
            } else if (op.kind == 8) {
                kernels[op.key] = (CardinalityKernel) base.withLimit(limit.withPermits(op.value));
            } else {
                CardinalityKernel k = kernels[op.key];
                long member = op.value % MEMBERS;
                int moff = 8 * (op.key * MEMBERS + (int) member);
                boolean expected = admitted[op.key].contains(member) || admitted[op.key].size() < k.limit().permits();
                assertEquals(expected, Steps.peekMember(k, parents, off, members, moff, null) == 0);
                boolean granted = Steps.admit(k, parents, off, members, moff, d) != 0;
                assertEquals(expected, granted, () -> "cardinality decision for " + op + " with " + admitted[op.key]);
                if (granted) {
                    admitted[op.key].add(member);
                }
            }
            assertEquals(admitted[op.key].size(), Steps.used(base, parents, off), "member count disagrees with the model");
        }
    }
}
