package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Limit;
import dev.limiter.Outcome;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.table.KeyTable;
import dev.limiter.engine.internal.table.PairKeys;
import dev.limiter.internal.CheckRecords;
import dev.limiter.internal.DecisionWriter;
import dev.limiter.internal.EngineAccess;
import dev.limiter.engine.internal.table.TableView;

import java.util.Arrays;

/*
 * A composite decision: optimistic read-only check, then ordered commit with refund.
 *
 * 1. Resolve: every check's limiter belongs to this engine (else IllegalArgumentException) and
 *    every key is resolved to its slot, and its kernel chosen (the limit's or the key's override),
 *    once, into this transaction's arrays. Claiming a new key's slot consumes nothing; a full table
 *    configured to reject throws here. Nothing has been taken yet.
 * 2. Peek: every kernel decides read-only at "now". If any check denies, the request is denied
 *    with nothing consumed; the decision names the denying check with the longest retry-after.
 *    This is the common way a composite is denied.
 * 3. Commit: take the permits check by check, exact-refund kinds first (windows, quotas,
 *    concurrency), then token buckets, then cardinality (Kernel.commitOrder). If a check now
 *    denies - another thread took the last permits between peek and commit, or earlier checks of
 *    this same request on the same key did - every permit taken so far is refunded, in reverse
 *    commit order, and the request is denied, naming that check.
 *
 * Refunds are exact for counting kernels (they subtract from the sub-window, window, epoch or
 * generation they added to). A token bucket's refund is exact while its word is unchanged; the
 * reverse order restores repeated checks on one key one after the other, so without a racing
 * thread nothing stays consumed. If another thread moved the word in between, the refund is
 * skipped rather than risk over-admission. A cardinality admission is never taken back. Because
 * those kinds commit last, a request with at most one of them never refunds it.
 *
 * Eviction. Each check keeps the view its key was resolved in. A step that meets a frozen state
 * word (a rotation moved the key) relocates the key by the fingerprint of its old slot and runs
 * again there; a refund likewise. A key that cannot be relocated (its new table is full) denies the
 * request, with every permit taken so far refunded.
 *
 * The allowed path allocates nothing: a transaction is reused by its thread, and checks keep only
 * their slot (for releaseAll) and their lease tokens (CheckRecords, from dev.limiter.internal).
 * Not thread-safe: one per thread.
 */
/** The reusable state of one composite decision on one thread; see the protocol above. */
final class CompositeTransaction {
    private static final DecisionWriter DECISIONS = EngineAccess.decisions();
    private static final CheckRecords CHECKS = EngineAccess.checks();
    private static final byte READY = 0;
    private static final byte SKIP = 1;
    private static final byte DENY = 2;
    private static final byte UNSATISFIABLE = 3;

    private OffHeapLimiter[] limiters = new OffHeapLimiter[4];
    private Kernel[] kernels = new Kernel[4];
    private KeySpace[] spaces = new KeySpace[4];
    private TableView[] views = new TableView[4];
    private int[] offsets = new int[4];
    private int[] memberOffsets = new int[4];
    private int[] remapped = new int[4];
    private byte[] states = new byte[4];
    private int[] committed = new int[4];

    boolean run(OffHeapEngine engine, Checks checks, long now, Decision into) {
        final int n = checks.size();
        grow(n);
        try {
            for (int i = 0; i < n; i++) {
                limiters[i] = engine.owned(checks.limiter(i), i);
            }
            for (int i = 0; i < n; i++) {
                CHECKS.token(checks, i, 0L);
                resolve(checks, i);
            }
            int worst = -1;
            long worstRetry = -1;
            for (int i = 0; i < n; i++) {
                long retry = peek(i, checks.permits(i), now, into);
                if (retry != 0 && retry > worstRetry) {
                    worst = i;
                    worstRetry = retry;
                }
            }
            if (worst >= 0) {
                if (into != null && peek(worst, checks.permits(worst), now, into) == 0) {
                    // another thread released permits since: the denial as first seen stands
                    DECISIONS.set(into, Outcome.LIMITED, limiters[worst].limit(), worst, 0, worstRetry, worstRetry);
                }
                named(into, worst);
                return false;
            }
            return commit(checks, n, now, into);
        } finally {
            Arrays.fill(limiters, 0, n, null);
            Arrays.fill(kernels, 0, n, null);
            Arrays.fill(spaces, 0, n, null);
            Arrays.fill(views, 0, n, null);
        }
    }

    /** Resolves check {@code i}'s key (and member) to slots and its kernel, once. */
    private void resolve(Checks checks, int i) {
        OffHeapLimiter l = limiters[i];
        KeySpace s = l.open();
        boolean cardinality = l.algorithm() == Algorithm.CARDINALITY;
        if (checks.hasMember(i) != cardinality) {
            throw new IllegalArgumentException("check " + i + " on limit '" + l.limit().name() + "' ("
                    + l.algorithm() + ") " + (checks.hasMember(i)
                    ? "names a member, which only cardinality limits take"
                    : "needs a member: add it with Checks.addMember"));
        }
        boolean string = checks.hasStringKey(i);
        TableView v;
        int offset;
        for (int tries = 0;; tries++) {
            v = s.view();
            offset = string ? s.find(v, checks.stringKey(i)) : s.find(v, checks.longKey(i));
            if (offset >= 0 || (offset != KeyTable.RETIRED && (tries >= 3 || !s.makeRoom(v)))) {
                break;
            }
        }
        int memberOffset = 0;
        if (offset >= 0 && cardinality) {
            memberOffset = string ? s.findMember(checks.stringKey(i), checks.memberStringKey(i))
                    : s.findMember(checks.longKey(i), checks.memberLongKey(i));
            remapped[i] = string ? s.remapped(checks.stringKey(i), checks.memberStringKey(i))
                    : PairKeys.remapped(checks.longKey(i), checks.memberLongKey(i));
        }
        spaces[i] = s;
        views[i] = v;
        offsets[i] = offset;
        memberOffsets[i] = memberOffset;
        CHECKS.slot(checks, i, offset < 0 ? offset : (long) v.id() << 32 | offset);
        if (offset < 0 || memberOffset < 0) {
            switch (l.whenFull()) {
                case DENY:
                    states[i] = DENY;
                    return;
                case ALLOW:
                    states[i] = SKIP;
                    return;
                default:
                    throw l.tableFull();
            }
        }
        s.prepare(v, offset);
        Kernel k = l.kernelAt(offset);
        kernels[i] = k;
        states[i] = checks.permits(i) > k.maxPermits() ? UNSATISFIABLE : READY;
    }

    /** @return 0 when check {@code i} would be granted now, else its retry-after; writes no state */
    private long peek(int i, long permits, long now, Decision into) {
        OffHeapLimiter l = limiters[i];
        switch (states[i]) {
            case SKIP:
                return 0L;
            case DENY:
                if (into != null) {
                    DECISIONS.set(into, Outcome.TABLE_FULL_DENIED, l.limit(), 0, 0, 0, 0);
                }
                return Decision.NEVER;
            case UNSATISFIABLE:
                OffHeapLimiter.refuse(kernels[i], into);
                return Decision.NEVER;
            default:
                break;
        }
        boolean admits;
        if (kernels[i] instanceof CardinalityKernel) {
            admits = views[i].slots().wouldAdmitMember((CardinalityKernel) kernels[i], offsets[i],
                    spaces[i].memberSlots(), memberOffsets[i], remapped[i], into);
        } else {
            long r;
            while ((r = views[i].slots().peek(kernels[i], offsets[i], permits, now, l.floor(), into))
                    == kernels[i].frozenWord()) {
                if (!relocate(i)) {
                    fullAfterMove(i, into);
                    return Decision.NEVER;
                }
            }
            admits = r != Kernel.DENIED;
        }
        if (admits) {
            return 0L;
        }
        return into == null ? 1L : Math.max(1L, into.retryAfterNanos());
    }

    private boolean commit(Checks checks, int n, long now, Decision into) {
        Limit bestLimit = null;
        int best = -1;
        long bestRemaining = Long.MAX_VALUE;
        long bestReset = 0;
        int done = 0;
        for (int order = 0; order <= 2; order++) {
            for (int i = 0; i < n; i++) {
                if (states[i] != READY || kernels[i].commitOrder() != order) {
                    continue;
                }
                long token = take(i, checks.permits(i), now, into);
                if (token == Kernel.DENIED) {
                    refund(checks, done, now);
                    named(into, i);
                    return false;
                }
                CHECKS.token(checks, i, token);
                committed[done++] = i;
                if (into != null && (best < 0 || into.remaining() < bestRemaining)) {
                    best = i;
                    bestLimit = into.limit();
                    bestRemaining = into.remaining();
                    bestReset = into.resetAfterNanos();
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (limiters[i].algorithm() != Algorithm.CONCURRENCY) {
                CHECKS.token(checks, i, 0L);
            }
        }
        if (into != null) {
            if (best >= 0) {
                DECISIONS.set(into, Outcome.ALLOWED, bestLimit, best, bestRemaining, 0L, bestReset);
            } else {
                DECISIONS.set(into, n == 0 ? Outcome.ALLOWED : Outcome.TABLE_FULL_ALLOWED,
                        n == 0 ? null : limiters[0].limit(), n == 0 ? -1 : 0, 0, 0L, 0L);
            }
        }
        return true;
    }

    /** Takes check {@code i}'s permits. @return the grant's token, or {@link Kernel#DENIED} */
    private long take(int i, long permits, long now, Decision into) {
        OffHeapLimiter l = limiters[i];
        Kernel k = kernels[i];
        if (k instanceof CardinalityKernel) {
            return views[i].slots().admit((CardinalityKernel) k, offsets[i], spaces[i].memberSlots(),
                    memberOffsets[i], remapped[i], into);
        }
        long next;
        while ((next = views[i].slots().acquire(k, offsets[i], permits, now, l.floor(), into)) == k.frozenWord()) {
            if (!relocate(i)) {
                fullAfterMove(i, into);
                return Kernel.DENIED;
            }
        }
        return next == Kernel.DENIED ? next : k.token(next, l.floor().effective(now));
    }

    /**
     * Check {@code i}'s key was moved by a rotation: resolves it again from its old slot's fingerprint.
     * Rotations never run on limiters with per-key overrides, so the kernel stays the same.
     *
     * @return false when its new table is full and it could not be placed
     */
    private boolean relocate(int i) {
        KeySpace s = spaces[i];
        for (;;) {
            TableView v = s.view();
            int at = KeySpace.relocate(v, views[i].table(), offsets[i]);
            if (at == KeyTable.RETIRED) {
                continue;
            }
            if (at < 0) {
                return false;
            }
            s.prepare(v, at);
            views[i] = v;
            offsets[i] = at;
            return true;
        }
    }

    private void fullAfterMove(int i, Decision into) {
        if (into != null) {
            long retry = limiters[i].retryAfterFull(0L);
            DECISIONS.set(into, Outcome.TABLE_FULL_DENIED, limiters[i].limit(), i, 0, retry, retry);
        }
    }

    /** Gives back every grant taken so far, the last one first. */
    private void refund(Checks checks, int done, long now) {
        for (int c = done - 1; c >= 0; c--) {
            int i = committed[c];
            OffHeapLimiter l = limiters[i];
            while (!views[i].slots().refund(kernels[i], offsets[i], checks.permits(i), CHECKS.token(checks, i),
                    l.floor().effective(now))) {
                if (!relocate(i)) {
                    break;                                   // not placed again: its permits stay taken
                }
            }
            CHECKS.token(checks, i, 0L);
        }
    }

    private static void named(Decision into, int check) {
        if (into != null) {
            DECISIONS.set(into, into.outcome(), into.limit(), check, into.remaining(), into.retryAfterNanos(),
                    into.resetAfterNanos());
        }
    }

    private void grow(int n) {
        if (n > limiters.length) {
            int size = Math.max(n, 2 * limiters.length);
            limiters = Arrays.copyOf(limiters, size);
            kernels = Arrays.copyOf(kernels, size);
            spaces = Arrays.copyOf(spaces, size);
            views = Arrays.copyOf(views, size);
            offsets = Arrays.copyOf(offsets, size);
            memberOffsets = Arrays.copyOf(memberOffsets, size);
            remapped = Arrays.copyOf(remapped, size);
            states = Arrays.copyOf(states, size);
            committed = Arrays.copyOf(committed, size);
        }
    }
}
