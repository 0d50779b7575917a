package dev.limiter.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/*
 * One key's leasing state in one instance: the current batch, the next one (reserved ahead), the
 * size of the next reservation, and the reservation in flight.
 *
 * Single flight. At most one reservation per key is in flight: the thread that installs its future
 * in `pending` (CAS from null) sends it; the others wait on that future and then try the new batch
 * once (a request that still finds nothing asks Redis directly for its own permits). So a hot key
 * costs one round trip per batch, not one per waiting thread.
 *
 * Reserving ahead. When a grant leaves the current batch at half the batch size or less, the
 * granting thread starts a reservation of the next batch (no request waits for it) unless one is in
 * flight or a next batch is already held; when the current batch then fails a request, the next one
 * replaces it (CAS, so exactly one thread promotes it) and the request tries it. A hot key then
 * never waits for a round trip. The price: an instance may hold two batches, so the under-admission
 * bound is 2 * maxBatch per instance and key.
 *
 * Adaptation (multiplicative, between 1 and maxBatch): a reservation made ahead, or one that
 * replaces a batch that was granted out completely (so within its validity), doubles the size; one
 * that replaces a batch that expired with permits left halves it. A key served faster than its
 * batches expire grows to maxBatch in log2(maxBatch) reservations; a cold key's leftover, the
 * under-admission, shrinks the same way.
 *
 * Memory ordering: `batch` and `next` are volatile and replaced whole (a batch's own fields are
 * final or changed by CAS); `batch` moves to `next` only by CAS, so a promoted batch is installed
 * once. `size` is volatile and written only by the thread whose reservation is in flight.
 */
/** A key's leased batches, next batch size and in-flight reservation in one instance; thread-safe. */
final class LeasedKey {
    private static final VarHandle BATCH;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BATCH = lookup.findVarHandle(LeasedKey.class, "batch", PermitBatch.class);
            NEXT = lookup.findVarHandle(LeasedKey.class, "next", PermitBatch.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile PermitBatch batch;
    volatile PermitBatch next;
    private volatile long size = 1;
    final AtomicReference<CompletableFuture<PermitBatch>> pending = new AtomicReference<>();

    /** @return the batch size now: a grant leaving half of it or less starts a reservation ahead */
    long size() {
        return size;
    }

    /**
     * Replaces {@code failed}, the current batch that could not grant a request, with the batch
     * reserved ahead.
     *
     * @return the batch to try now (the promoted one, or whatever another thread installed), or
     *     null when no batch was reserved ahead
     */
    PermitBatch promote(PermitBatch failed) {
        PermitBatch n = next;
        if (n == null) {
            return null;
        }
        if (BATCH.compareAndSet(this, failed, n)) {
            NEXT.compareAndSet(this, n, null);
            return n;
        }
        PermitBatch now = batch;
        return now == failed ? null : now;
    }

    /**
     * Adapts the batch size; called by the reserving thread only.
     *
     * @param ahead whether the reservation is made ahead (the current batch is draining)
     * @return the number of permits to reserve (at least 1, at most maxBatch)
     */
    long nextSize(long s, long maxBatch, boolean ahead) {
        PermitBatch old = batch;
        long n = size;
        if (ahead || old != null && !(old instanceof DeniedBatch) && old.usedUp()) {
            n = Math.min(maxBatch, n * 2);
        } else if (old != null && !(old instanceof DeniedBatch) && old.expired(s)) {
            n = Math.max(1, n / 2);
        }
        size = Math.min(n, maxBatch);
        return size;
    }
}
