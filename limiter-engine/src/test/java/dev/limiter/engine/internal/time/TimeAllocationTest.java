package dev.limiter.engine.internal.time;

import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths allocate nothing once warm: wheel schedule / cancel / advance, ticker schedule /
 * cancel (producer side) and its duty cycle, cached-clock reads. Counted with the JVM's per-thread
 * allocation counter, best of five rounds.
 */
class TimeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBy(LongPredicate call, long calls) {
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            long ok = 0;
            for (long i = 0; i < 100_000; i++) { // warm up: let the JIT compile the path
                ok += call.test(i) ? 1 : 0;
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < calls; i++) {
                ok += call.test(i) ? 1 : 0;
            }
            long after = THREADS.getCurrentThreadAllocatedBytes();
            assertTrue(ok > 0, "the measured call never did its work");
            best = Math.min(best, after - before);
        }
        return best;
    }

    @Test
    void wheelTickerAndCachedClockHotPathsAllocateNothing() {
        TimingWheel wheel = new TimingWheel(1L << 10, 0, 1 << 12);
        long[] now = {0};
        TimerExpiry ignore = (id, deadline, payload, attachment) -> { };
        assertEquals(0, allocatedBy(i -> wheel.cancel(wheel.schedule(now[0] + (i & 0xFFFF) * 1_000, i, null)), 50_000),
                "wheel schedule + cancel");
        assertEquals(0, allocatedBy(i -> {
            wheel.schedule(now[0] + 64 * 1024, i, null);
            now[0] += 128;
            return wheel.advance(now[0], 1_000, ignore) >= 0;
        }, 50_000), "wheel schedule + advance + fire");

        ManualClock clock = new ManualClock();
        Ticker ticker = Ticker.builder("alloc", clock).commandCapacity(1 << 12).build();
        Ticker.TimerTarget target = (payload, deadline, at) -> { };
        assertEquals(0, allocatedBy(i -> {
            long ticket = ticker.schedule(clock.nanoTime() + 1_000_000_000L, target, i);
            boolean queued = ticket != Ticker.NULL_TICKET && ticker.cancel(ticket);
            if ((i & 511) == 0) {
                clock.advance(1 << 20);
                ticker.runOnce(); // drains the commands on this thread: the consumer side counts too
            }
            return queued;
        }, 50_000), "ticker schedule + cancel + duty cycle");

        CachedClock cached = ticker.cachedClock();
        assertEquals(0, allocatedBy(i -> cached.nanoTime() <= clock.nanoTime(), 100_000), "cached clock read");
    }
}
