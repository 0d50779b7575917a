package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key idle for longer than half its tag range must start afresh, not be mistaken for a caller
 * "in the past" and stay denied for another half range.
 */
class IdleKeyTest {

    @Test
    void fixedWindowKeyIdleForHalfTheTagRangeStartsAfresh() {
        long n = 1L << 36;                                   // 37 count bits: a 2^27-window tag range
        Limit limit = Limit.fixedWindow("w", n, Duration.ofNanos(1)).fixed().build();
        FixedWindowKernel kernel = new FixedWindowKernel(limit);
        UnsafeBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        assertTrue(Steps.tryAcquire(kernel, b, 0, n, 0, null));
        assertFalse(Steps.tryAcquire(kernel, b, 0, 1, 0, null));
        long halfRange = kernel.staleWindows() * 2;
        assertTrue(Steps.tryAcquire(kernel, b, 0, n, halfRange + 5, null), "idle key still denied");
        assertFalse(Steps.tryAcquire(kernel, b, 0, 1, halfRange + 4, null), "a stalled caller must count in the key's window");
    }

    @Test
    void slidingWindowKeyIdleForHalfTheTagRangeStartsAfresh() {
        long n = 1L << 28;
        Limit limit = Limit.slidingWindow("s", n, Duration.ofNanos(10)).subWindows(10).fixed().build();
        SlidingWindowKernel kernel = new SlidingWindowKernel(limit, n);
        UnsafeBuffer b = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * kernel.stateWords()));
        assertTrue(Steps.tryAcquire(kernel, b, 0, n, 0, null));
        assertFalse(Steps.tryAcquire(kernel, b, 0, 1, 0, null));
        long halfRange = 2 * kernel.horizonNanos();          // horizon = S sub-windows of 1 ns
        assertTrue(Steps.tryAcquire(kernel, b, 0, n, halfRange + 5, null), "idle key still denied");
    }
}
