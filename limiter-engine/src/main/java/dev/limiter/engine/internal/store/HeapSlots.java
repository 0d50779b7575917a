package dev.limiter.engine.internal.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * State words in a Java {@code long[]}: {@code base} is the index of a key's first state word;
 * thread-safe (acquire loads and CAS through an array VarHandle). The in-heap model store: the same
 * kernels and loops as off-heap, with no native memory.
 */
public final class HeapSlots extends SlotStore {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;

    /** @param size how many state words the store holds, all zero ("never seen") */
    public HeapSlots(int size) {
        this.words = new long[size];
    }

    /** @return how many state words the store holds */
    public int size() {
        return words.length;
    }

    @Override
    public long wordAcquire(int base, int index) {
        return (long) WORDS.getAcquire(words, base + index);
    }

    @Override
    protected boolean compareAndSet(int base, int index, long expected, long next) {
        return WORDS.compareAndSet(words, base + index, expected, next);
    }
}
