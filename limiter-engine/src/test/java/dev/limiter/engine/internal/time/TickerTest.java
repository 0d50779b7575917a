package dev.limiter.engine.internal.time;

import dev.limiter.ManualClock;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ticker driven by a {@link ManualClock} through {@link Ticker#runOnce()}: no test sleeps. */
class TickerTest {
    private static final long TICK = 1L << 20;

    @Test
    void concurrentProducersScheduleAndCancelAndOnlyTheSurvivorsFireOnce() throws Exception {
        ManualClock clock = new ManualClock(-5 * TICK);
        Ticker ticker = Ticker.builder("t", clock).tickNanos(TICK).commandCapacity(64).build();
        int producers = 3;
        int perProducer = 2_000;
        AtomicLongArray fired = new AtomicLongArray(producers * perProducer);
        Set<Integer> cancelled = ConcurrentHashMap.newKeySet();
        Ticker.TimerTarget target = (payload, deadline, now) -> fired.incrementAndGet((int) payload);
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(new Thread(() -> {
                SplittableRandom r = new SplittableRandom(base);
                for (int i = 0; i < perProducer; i++) {
                    long deadline = -5 * TICK + 1 + r.nextLong(1_000 * TICK);
                    long ticket;
                    while ((ticket = ticker.schedule(deadline, target, base + i)) == Ticker.NULL_TICKET) {
                        Thread.onSpinWait(); // queue full: the test thread drains it
                    }
                    if (r.nextBoolean()) {
                        while (!ticker.cancel(ticket)) {
                            Thread.onSpinWait();
                        }
                        cancelled.add(base + i);
                    }
                }
                done.incrementAndGet();
            }));
        }
        threads.forEach(Thread::start);
        while (done.get() < producers || ticker.queuedCommands() > 0) {
            ticker.runOnce(); // the clock stands still: nothing is due, every command is applied
        }
        for (Thread t : threads) {
            t.join();
        }
        ticker.runOnce();
        assertEquals(producers * perProducer - cancelled.size(), ticker.pendingTimers());
        assertTrue(ticker.refusedCommands() > 0, "a 64-slot queue under 3 producers must refuse some commands");
        clock.set(-5 * TICK + 1_001 * TICK);
        while (ticker.runOnce() > 0 || ticker.behind()) {
            // drain
        }
        for (int i = 0; i < fired.length(); i++) {
            assertEquals(cancelled.contains(i) ? 0 : 1, fired.get(i), "timer " + i);
        }
        assertEquals(0, ticker.pendingTimers());
        Histogram late = ticker.latenessSinceLastRead();
        assertEquals(fired.length() - cancelled.size(), late.getTotalCount());
        assertTrue(late.getMaxValue() <= late.highestEquivalentValue(1_001 * TICK), String.valueOf(late.getMaxValue()));
    }

    @Test
    void timersFireOnTheCycleTheClockPassesThemAndPeriodicTasksRunEachPeriod() {
        ManualClock clock = new ManualClock(Long.MAX_VALUE - 100 * TICK);
        List<Long> runs = new ArrayList<>();
        Ticker ticker = Ticker.builder("p", clock).tickNanos(TICK)
                .periodic(now -> {
                    runs.add(now);
                    return 1;
                }, 10 * TICK).build();
        List<Long> fired = new ArrayList<>();
        long start = clock.nanoTime();
        ticker.schedule(start + 3 * TICK, (payload, deadline, now) -> fired.add(payload), 42);
        ticker.schedule(Long.MAX_VALUE, (payload, deadline, now) -> fired.add(payload), 43);
        ticker.runOnce();
        assertEquals(List.of(), fired);
        clock.advance(3 * TICK - 1);
        ticker.runOnce();
        assertEquals(List.of(), fired, "never early");
        clock.advance(TICK + 1);
        ticker.runOnce();
        assertEquals(List.of(42L), fired, "at most one tick late");
        assertEquals(start + 4 * TICK, ticker.cachedClock().cachedNanos());
        clock.advance(6 * TICK);
        ticker.runOnce();
        assertEquals(List.of(start + 10 * TICK), runs);
        clock.advance(200 * TICK); // saturates at Long.MAX_VALUE: the end of time fires everything
        ticker.runOnce();
        assertEquals(List.of(42L, 43L), fired);
        assertEquals(List.of(start + 10 * TICK, Long.MAX_VALUE), runs);
        assertEquals(2, ticker.firedTimers());
    }

    @Test
    void aCancelledTimerNeverFiresAndFullQueuesRefuseWithNothingChanged() {
        ManualClock clock = new ManualClock();
        Ticker ticker = Ticker.builder("c", clock).commandCapacity(2).build();
        AtomicLongArray fired = new AtomicLongArray(6);
        Ticker.TimerTarget target = (p, d, n) -> fired.incrementAndGet((int) p);
        long a = ticker.schedule(5, target, 0);
        long b = ticker.schedule(5, target, 1);
        assertNotEquals(Ticker.NULL_TICKET, a);
        assertNotEquals(Ticker.NULL_TICKET, b);
        assertEquals(Ticker.NULL_TICKET, ticker.schedule(5, target, 2), "two records out: the third is refused");
        assertEquals(1, ticker.refusedCommands());
        assertTrue(ticker.cancel(a), "withdrawn before the ticker drained it");
        assertFalse(ticker.cancel(a), "a second cancel is a no-op");
        assertEquals(Ticker.NULL_TICKET, ticker.schedule(5, target, 2), "a withdrawn record is freed only by a drain");
        ticker.runOnce();
        assertEquals(1, ticker.pendingTimers());
        long c = ticker.schedule(5, target, 3);
        long d = ticker.schedule(5, target, 4);
        ticker.runOnce();
        long e = ticker.schedule(5, target, 5);
        ticker.runOnce();
        assertEquals(4, ticker.pendingTimers(), "the wheel holds more timers than the queues: records are made");
        assertTrue(ticker.cancel(b));
        assertTrue(ticker.cancel(c));
        assertFalse(ticker.cancel(d), "both cancel requests queued: refused");
        assertEquals(3, ticker.refusedCommands());
        assertFalse(ticker.cancel(b));
        ticker.runOnce();
        assertEquals(2, ticker.pendingTimers(), "a cancelled timer leaves the wheel on the next cycle");
        assertTrue(ticker.cancel(e));
        clock.advance(1_000_000_000L);
        ticker.runOnce();
        assertEquals("[0, 0, 0, 0, 1, 0]", fired.toString(), "only d, whose cancel was refused, fires");
        assertFalse(ticker.cancel(d), "a cancel after the fire is a no-op");
        assertEquals(0, ticker.pendingTimers());
        assertEquals(0, ticker.queuedCommands());
    }

    @Test
    void cancelledLongTimersLeaveTheWheelWithinACycleAndTheirRecordsAreReused() {
        ManualClock clock = new ManualClock();
        Ticker ticker = Ticker.builder("l", clock).commandCapacity(4).build();
        AtomicInteger fired = new AtomicInteger();
        long[] tickets = new long[3];
        for (int round = 0; round < 10_000; round++) {
            for (int i = 0; i < tickets.length; i++) {
                tickets[i] = ticker.schedule(Long.MAX_VALUE - round, (p, d, n) -> fired.incrementAndGet(), i);
                assertNotEquals(Ticker.NULL_TICKET, tickets[i]);
            }
            ticker.runOnce();                                       // filed in the wheel
            assertEquals(3, ticker.pendingTimers());
            for (long t : tickets) {
                assertTrue(ticker.cancel(t), "a filed timer is cancelled through a request");
                assertFalse(ticker.cancel(t));
            }
            ticker.runOnce();
            assertEquals(0, ticker.pendingTimers(), "round " + round);
        }
        assertEquals(0, ticker.refusedCommands());
        assertTrue(ticker.timerRecords() <= 4 + 3, "records made: " + ticker.timerRecords());
        clock.set(Long.MAX_VALUE);
        ticker.runOnce();
        assertEquals(0, fired.get());
    }

    @Test
    void aThrowingTargetIsCountedAndTheOthersStillFire() {
        ManualClock clock = new ManualClock();
        Ticker ticker = Ticker.builder("e", clock).build();
        AtomicInteger fired = new AtomicInteger();
        ticker.schedule(1, (p, d, n) -> {
            throw new IllegalStateException("boom");
        }, 0);
        ticker.schedule(1, (p, d, n) -> fired.incrementAndGet(), 0);
        clock.advance(TickerBuilder.DEFAULT_TICK_NANOS * 2);
        ticker.runOnce();
        assertEquals(1, fired.get());
        assertEquals(1, ticker.failures());
    }

    @Test
    void startedTickerRunsOnItsNamedThreadAndStopsOnClose() throws Exception {
        ManualClock clock = new ManualClock();
        Ticker ticker = Ticker.builder("engine-a", clock).build();
        ticker.start();
        assertThrows(IllegalStateException.class, ticker::runOnce);
        CountDownLatch firedLatch = new CountDownLatch(1);
        String[] thread = new String[1];
        ticker.schedule(0, (p, d, n) -> {
            thread[0] = Thread.currentThread().getName();
            firedLatch.countDown();
        }, 0);
        clock.advance(TickerBuilder.DEFAULT_TICK_NANOS);
        // an event wait, not a timed sleep: the latch opens as soon as the ticker's thread fires the timer
        assertTrue(firedLatch.await(30, TimeUnit.SECONDS));
        assertEquals("limiter-ticker-engine-a", thread[0]);
        ticker.close();
        assertTrue(ticker.isClosed());
        assertEquals(Ticker.NULL_TICKET, ticker.schedule(0, (p, d, n) -> { }, 0));
        assertFalse(ticker.cancel(1));
    }
}
