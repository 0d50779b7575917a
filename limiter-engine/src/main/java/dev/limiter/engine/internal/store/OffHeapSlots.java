package dev.limiter.engine.internal.store;

import org.agrona.concurrent.UnsafeBuffer;

/*
 * Accesses go through OffHeapWords, unchecked: every base comes from the key table that owns the
 * buffer, so it lies inside it by construction (see OffHeapWords for why and for the ordering).
 */
/**
 * State words in an off-heap buffer: {@code base} is the byte offset of a key's first state word,
 * word i lies at {@code base + 8 i}; thread-safe (acquire loads and CAS on the buffer).
 */
public final class OffHeapSlots extends SlotStore {
    private final UnsafeBuffer buffer;
    private final long address;

    /** @param buffer the direct memory holding the state words, 8-byte aligned */
    public OffHeapSlots(UnsafeBuffer buffer) {
        if (buffer.byteArray() != null) {
            throw new IllegalArgumentException("state words live in direct memory, not in a heap array");
        }
        this.buffer = buffer;
        this.address = buffer.addressOffset();
    }

    /** @return the buffer */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    @Override
    public long wordAcquire(int base, int index) {
        return OffHeapWords.loadAcquire(address + base + 8L * index);
    }

    @Override
    protected boolean compareAndSet(int base, int index, long expected, long next) {
        return OffHeapWords.compareAndSet(address + base + 8L * index, expected, next);
    }
}
