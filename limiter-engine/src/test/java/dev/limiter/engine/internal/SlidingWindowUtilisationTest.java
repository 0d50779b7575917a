package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state use of the strict sliding window: offered 2N per T, evenly spaced, for 100 T, it
 * must grant at least k/(k+1) of N per T (and, by its guarantee, at most N).
 */
class SlidingWindowUtilisationTest {
    @Test
    void grantsAtLeastKOverKPlusOneOfNPerWindowUnderTwiceTheLoad() {
        long n = 100;
        long t = Duration.ofSeconds(1).toNanos();
        StringBuilder report = new StringBuilder();
        for (int k : new int[] {1, 2, 4, 10, 20, 64}) {
            SlidingWindowKernel kernel = new SlidingWindowKernel(
                    Limit.slidingWindow("sw", n, Duration.ofNanos(t)).subWindows(k).build());
            UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * kernel.stateWords()));
            long offered = 2 * n * 100;
            long granted = 0;
            long late = 0;
            for (long i = 0; i < offered; i++) {
                long now = i * t / (2 * n);
                if (Steps.tryAcquire(kernel, buffer, 0, 1, now, null)) {
                    granted++;
                    if (now >= 50 * t) {
                        late++;
                    }
                }
            }
            double perWindow = granted / 100.0;
            double steady = late / 50.0;                       // the last 50 windows: no first-window burst
            double floor = (double) k / (k + 1) * n;
            report.append(String.format("k=%d: %.2f per T over 100 T, %.2f per T over the last 50 (floor %.2f)%n",
                    k, perWindow, steady, floor));
            // the last-50 slice may cut one period of k+1 sub-windows, worth up to N: allow N / 50 per T
            assertTrue(perWindow >= floor && steady >= floor - n / 50.0 && perWindow <= n,
                    "k=" + k + ": granted " + perWindow + " per T, steady " + steady + ", floor " + floor);
        }
        System.out.print(report);
    }
}
