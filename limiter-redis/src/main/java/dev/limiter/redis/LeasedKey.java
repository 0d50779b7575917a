package dev.limiter.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/*
 * One key's leasing state in one instance: the current batch, the size of the next reservation,
 * and the reservation in flight.
 *
 * Single flight. At most one reservation per key is in flight: the thread that installs its future
 * in `pending` (CAS from null) sends it; the others wait on that future and then try the new batch
 * once (a request that still finds nothing asks Redis directly for its own permits). So a hot key
 * costs one round trip per batch, not one per waiting thread.
 *
 * Adaptation (multiplicative, between 1 and maxBatch): when a reservation replaces a batch that was
 * granted out completely (so within its validity), the next batch is twice as large; when the batch
 * expired with permits left, half as large. A key served faster than its batches expire grows to maxBatch in
 * log2(maxBatch) reservations; a cold key's leftover, the under-admission, shrinks the same way.
 *
 * Memory ordering: `batch` is volatile and replaced whole, after the reservation that made it
 * completed (the batch's own fields are final or changed by CAS); `size` is volatile and written
 * only by the thread whose reservation is in flight.
 */
/** A key's leased batch, next batch size and in-flight reservation in one instance; thread-safe. */
final class LeasedKey {
    volatile PermitBatch batch;
    private volatile long size = 1;
    final AtomicReference<CompletableFuture<PermitBatch>> pending = new AtomicReference<>();

    /**
     * Adapts the batch size to how the current batch ended; called by the reserving thread only.
     *
     * @return the number of permits to reserve next (at least 1, at most maxBatch)
     */
    long nextSize(long s, long maxBatch) {
        PermitBatch old = batch;
        long next = size;
        if (old != null && !(old instanceof DeniedBatch)) {
            if (old.usedUp()) {
                next = Math.min(maxBatch, next * 2);
            } else if (old.expired(s) && !old.usedUp()) {
                next = Math.max(1, next / 2);
            }
        }
        size = Math.min(next, maxBatch);
        return size;
    }
}
