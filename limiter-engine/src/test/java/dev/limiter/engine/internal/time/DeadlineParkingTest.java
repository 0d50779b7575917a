package dev.limiter.engine.internal.time;

import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The ticker's parking: an idle ticker sleeps until its next due time (here an hour away, so a
 * test that depended on the sleep running out would hang and fail), a producer with an earlier
 * deadline wakes it, and a request already published keeps it from parking at all. Event waits
 * only: nothing here sleeps for a time.
 */
class DeadlineParkingTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private static DeadlineParking parking(ManualClock clock, AtomicBoolean input) {
        return new DeadlineParking(clock, HOUR, new DeadlineParking.Owner() {
            @Override
            public long nextDueNanos() {
                return clock.nanoTime() + HOUR;
            }

            @Override
            public boolean takeInput(long wakeNanos) {
                return input.get();
            }
        });
    }

    @Test
    void anEarlierDeadlineUnparksTheSleepingTicker() throws Exception {
        ManualClock clock = new ManualClock();
        DeadlineParking p = parking(clock, new AtomicBoolean());
        Thread ticker = new Thread(() -> {
            p.idle(0);                                  // spin
            p.idle(0);                                  // yield
            p.idle(0);                                  // park: an hour, unless woken
        }, "parked-ticker");
        ticker.start();
        while (ticker.getState() != Thread.State.TIMED_WAITING && ticker.isAlive()) {
            Thread.onSpinWait();                        // wait for the event: the thread has parked
        }
        p.wakeIfBefore(clock.nanoTime() + HOUR / 2);
        ticker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(ticker.isAlive(), "a deadline before the planned wake-up must unpark the ticker");
    }

    @Test
    void aPublishedRequestKeepsTheTickerFromParking() {
        ManualClock clock = new ManualClock();
        DeadlineParking p = parking(clock, new AtomicBoolean(true));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 10; i++) {
                p.idle(0);                              // would park for an hour without the input check
            }
        });
    }

    @Test
    void anIntakeThatTakesUntilThePlannedWakeUpLeavesNoSleep() {
        ManualClock clock = new ManualClock();
        DeadlineParking p = new DeadlineParking(clock, HOUR, new DeadlineParking.Owner() {
            @Override
            public long nextDueNanos() {
                return clock.nanoTime() + HOUR;
            }

            @Override
            public boolean takeInput(long wakeNanos) {
                clock.set(wakeNanos);                   // a drain that lasts until the planned wake-up
                return false;
            }
        });
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 10; i++) {
                p.idle(0);                              // would sleep the hour again after the intake used it up
            }
        });
    }
}
