package dev.limiter.engine.internal.store;

import org.agrona.concurrent.AtomicBuffer;

/**
 * State words in an off-heap buffer: {@code base} is the byte offset of a key's first state word,
 * word i lies at {@code base + 8 i}; thread-safe (acquire loads and CAS on the buffer).
 */
public final class OffHeapSlots extends SlotStore {
    private final AtomicBuffer buffer;

    /** @param buffer the memory holding the state words, 8-byte aligned */
    public OffHeapSlots(AtomicBuffer buffer) {
        this.buffer = buffer;
    }

    /** @return the buffer */
    public AtomicBuffer buffer() {
        return buffer;
    }

    @Override
    public long wordAcquire(int base, int index) {
        return buffer.getLongVolatile(base + 8 * index);
    }

    @Override
    protected boolean compareAndSet(int base, int index, long expected, long next) {
        return buffer.compareAndSetLong(base + 8 * index, expected, next);
    }
}
