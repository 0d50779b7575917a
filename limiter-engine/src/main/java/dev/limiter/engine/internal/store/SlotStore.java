package dev.limiter.engine.internal.store;

import dev.limiter.Decision;
import dev.limiter.engine.internal.kernel.CardinalityKernel;
import dev.limiter.engine.internal.kernel.Kernel;
import dev.limiter.engine.internal.kernel.QuotaKernel;
import dev.limiter.engine.internal.kernel.StateWords;
import dev.limiter.engine.internal.time.StalenessFloor;

/*
 * Where keys' state words live, and the one place that turns a kernel's pure steps into atomic
 * decisions on them.
 *
 * The loop (acquire). Load word 0 (acquire); then read the staleness floor and move a caller older
 * than it up to it - after the head, so that a head written by a caller who raised the floor is
 * never read with the floor from before the raise (see StalenessFloor); let the kernel decide (a pure function that may read
 * further words, each an acquire load); if it admits, seal the one auxiliary word the kernel names
 * (sliding windows only; see below), then CAS word 0 from the value loaded to the kernel's next
 * value. The CAS is the decision's linearisation point: it succeeds only if word 0 did not change
 * since the load, so the step's inputs are what the key held at that instant (auxiliary words are
 * only ever written before word 0 moves past them). A failed CAS re-runs the whole step. A denial
 * writes nothing. Lock-free: a CAS fails only because another decision succeeded.
 *
 * Seal. Before the head moves on, the sliding-window kernel needs the old head's count in a ring
 * word. The store reads the ring word, then re-reads the head: if the head moved, another thread
 * rolled it (and sealed), so this step restarts; otherwise the kernel's sealed() value is CASed in.
 *
 * Amend (refund, release, reset). Load the word the kernel names, compute the kernel's amended
 * value, CAS it; a failed CAS re-reads. A no-op is re-checked once against the kernel's choice of
 * word, which may have moved (a sliding window's head rolling past the grant).
 *
 * Subclasses supply only the acquire load and the CAS; every loop is written here, once.
 */
/** A store of keys' state words with the load/CAS/retry loops that apply kernel steps; thread-safe. */
public abstract class SlotStore implements StateWords {

    /** @return word {@code index} of the state at {@code base}, read with acquire semantics */
    @Override
    public abstract long wordAcquire(int base, int index);

    /** Atomically replaces word {@code index} at {@code base} if it still holds {@code expected} (CAS). */
    protected abstract boolean compareAndSet(int base, int index, long expected, long next);

    /**
     * Takes {@code permits} at {@code now} for the key at {@code base} if {@code kernel} admits them.
     *
     * @param floor the limiter's staleness floor: a caller older than it acts at it
     * @param facts when non-null, receives the decision
     * @return the word 0 published (never 0), {@link Kernel#DENIED}, or {@link Kernel#frozenWord()}
     *     when a rotation froze the key's state here (nothing decided: resolve the key again)
     */
    public final long acquire(Kernel kernel, int base, long permits, long now, StalenessFloor floor,
                              Decision facts) {
        final long frozen = kernel.frozenWord();
        for (;;) {
            long head = wordAcquire(base, 0);
            if (head == frozen) {
                return frozen;                           // moved by a rotation: resolve the key again
            }
            long at = floor.effective(now);
            long next = kernel.next(this, base, head, permits, at, facts);
            if (next == Kernel.DENIED) {
                return Kernel.DENIED;
            }
            int aux = kernel.sealIndex(head, at);
            if (aux > 0 && !seal(kernel, base, aux, head, at)) {
                continue;
            }
            if (compareAndSet(base, 0, head, next)) {
                return next;
            }
        }
    }

    private boolean seal(Kernel kernel, int base, int aux, long head, long now) {
        for (;;) {
            long word = wordAcquire(base, aux);
            if (wordAcquire(base, 0) != head) {
                return false;                            // rolled by another thread; restart the step
            }
            long sealed = kernel.sealed(word, head, now);
            if (sealed == word || compareAndSet(base, aux, word, sealed)) {
                return true;
            }
        }
    }

    /**
     * Decides as {@link #acquire} would at {@code now}, writing nothing.
     *
     * @return whether the permits would be granted
     */
    public final boolean wouldAdmit(Kernel kernel, int base, long permits, long now, StalenessFloor floor,
                                    Decision facts) {
        long r = peek(kernel, base, permits, now, floor, facts);
        return r != Kernel.DENIED && r != kernel.frozenWord();
    }

    /**
     * Decides as {@link #acquire} would at {@code now}, writing nothing.
     *
     * @return as {@link #acquire}: the word 0 it would publish, {@link Kernel#DENIED}, or
     *     {@link Kernel#frozenWord()} when the key's state here is frozen
     */
    public final long peek(Kernel kernel, int base, long permits, long now, StalenessFloor floor, Decision facts) {
        long head = wordAcquire(base, 0);
        if (head == kernel.frozenWord()) {
            return head;
        }
        return kernel.next(this, base, head, permits, floor.effective(now), facts);
    }

    /**
     * Gives back what the grant {@code token} took, as exactly as the kernel allows.
     *
     * @return false when a rotation froze the key's state here before the refund landed (resolve
     *     the key again and refund there); true otherwise
     */
    public final boolean refund(Kernel kernel, int base, long permits, long token, long now) {
        final long frozen = kernel.frozenWord();
        for (;;) {
            if (wordAcquire(base, 0) == frozen) {
                return false;
            }
            int index = kernel.refundIndex(this, base, token, now);
            if (index < 0) {
                return true;
            }
            long word = wordAcquire(base, index);
            if (index == 0 && word == frozen) {
                return false;
            }
            long next = kernel.refunded(index, word, permits, token, now);
            if (next == word) {
                if (kernel.refundIndex(this, base, token, now) == index) {
                    return true;
                }
            } else if (compareAndSet(base, index, word, next)) {
                return true;
            }
        }
    }

    /**
     * Freezes word 0 for a rotation: replaces it with {@link Kernel#frozenWord()} by CAS.
     *
     * @return the word it held when this call froze it, or {@link Kernel#frozenWord()} when another
     *     thread froze it first
     */
    public final long freezeHead(Kernel kernel, int base) {
        final long frozen = kernel.frozenWord();
        for (;;) {
            long head = wordAcquire(base, 0);
            if (head == frozen || compareAndSet(base, 0, head, frozen)) {
                return head;
            }
        }
    }

    /** Installs {@code value} in word {@code index} if it still holds 0 (a rotation's copy: CAS 0 -&gt; value). */
    public final void install(int base, int index, long value) {
        compareAndSet(base, index, 0L, value);
    }

    /** The operator's reset of a quota or cardinality key: a fresh total. */
    public final void reset(QuotaKernel kernel, int base) {
        for (;;) {
            long word = wordAcquire(base, 0);
            if (compareAndSet(base, 0, word, kernel.resetWord(word))) {
                return;
            }
        }
    }

    /**
     * Admits a member (its mark at {@code memberBase} in {@code members}, its pair's remap bits
     * {@code remapped}) under the parent at {@code base}; see {@link CardinalityKernel} for the protocol.
     *
     * @return the parent word counted (never 0), {@link CardinalityKernel#ALREADY_MEMBER}, or
     *     {@link Kernel#DENIED}
     */
    public final long admit(CardinalityKernel kernel, int base, SlotStore members, int memberBase, int remapped,
                            Decision facts) {
        for (;;) {
            long parent = wordAcquire(base, 0);
            long member = members.wordAcquire(memberBase, 0);
            long next = kernel.admitNext(parent, member, remapped, facts);
            if (next == Kernel.DENIED || next == parent) {
                return next == parent ? CardinalityKernel.ALREADY_MEMBER : Kernel.DENIED;
            }
            if (!compareAndSet(base, 0, parent, next)) {
                continue;
            }
            long mark = CardinalityKernel.mark(parent, remapped);
            for (;;) {
                long m = members.wordAcquire(memberBase, 0);
                if (m == mark) {                         // another thread admitted it first: one count suffices
                    uncount(kernel, base, next);
                    kernel.alreadyMember(parent, facts);
                    return CardinalityKernel.ALREADY_MEMBER;
                }
                if (members.compareAndSet(memberBase, 0, m, mark)) {
                    return next;
                }
            }
        }
    }

    private void uncount(CardinalityKernel kernel, int base, long counted) {
        for (;;) {
            long word = wordAcquire(base, 0);
            long next = kernel.uncounted(word, counted);
            if (next == word || compareAndSet(base, 0, word, next)) {
                return;
            }
        }
    }

    /**
     * Decides as {@link #admit} would, writing nothing.
     *
     * @return whether the member would be admitted
     */
    public final boolean wouldAdmitMember(CardinalityKernel kernel, int base, SlotStore members, int memberBase,
                                          int remapped, Decision facts) {
        return kernel.admitNext(wordAcquire(base, 0), members.wordAcquire(memberBase, 0), remapped, facts)
                != Kernel.DENIED;
    }
}
