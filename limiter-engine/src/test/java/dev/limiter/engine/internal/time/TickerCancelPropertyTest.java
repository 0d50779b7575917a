package dev.limiter.engine.internal.time;

import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Cancels racing the ticker's drain and fire, against a model that counts, per accepted timer,
 * the fires its target saw and the cancels that answered true: concurrent producers schedule
 * timers a few ticks ahead, cancel their own or each other's (tickets shared through a volatile
 * array), some twice, while a driver thread moves a {@link ManualClock} and runs duty cycles. At
 * the end, with the clock far past every deadline: every accepted timer was fired once or
 * cancelled once, never both, never neither, and never fired before its deadline; a refused
 * schedule left nothing behind; the ticker is empty.
 */
class TickerCancelPropertyTest {
    private static final int EXAMPLES = Integer.getInteger("limiter.property.examples", 1000) / 10 + 1;
    private static final long TICK = 1L << 13;
    private static final int PER = 40;

    /** One producer step: schedule {@code delay} ns ahead, then cancel timer #{@code pick} of {@code whose} producer (-1: none). */
    static final class Op {
        final long delay;
        final int whose;
        final int pick;

        Op(long delay, int whose, int pick) {
            this.delay = delay;
            this.whose = whose;
            this.pick = pick;
        }

        @Override
        public String toString() {
            return "+" + delay + (whose < 0 ? "" : " cancel p" + whose + "#" + pick);
        }
    }

    static final class Case {
        final int capacity;
        final List<List<Op>> producers;
        final List<Long> steps;

        Case(int capacity, List<List<Op>> producers, List<Long> steps) {
            this.capacity = capacity;
            this.producers = producers;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return "capacity " + capacity + ", clock steps " + steps + ", producers " + producers;
        }
    }

    static Gen<Case> cases() {
        Gen<Op> op = integers().between(0, 4 * (int) TICK).zip(integers().between(-1, 2), integers().between(0, PER - 1),
                (d, w, p) -> new Op(d, w, p));
        Gen<List<Op>> producer = lists().of(op).ofSizeBetween(1, PER);
        Gen<Long> step = integers().between(0, 2 * (int) TICK).map(Integer::longValue);
        return integers().between(2, 16).zip(lists().of(producer).ofSizeBetween(1, 3),
                lists().of(step).ofSizeBetween(1, 8), Case::new);
    }

    @Test
    void everyAcceptedTimerIsFiredOrCancelledExactlyOnce() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(TickerCancelPropertyTest::run);
    }

    static void run(Case c) {
        ManualClock clock = new ManualClock(-3 * TICK);
        Ticker ticker = Ticker.builder("p", clock).tickNanos(TICK).commandCapacity(c.capacity).build();
        int n = c.producers.size();
        int per = PER;
        AtomicLongArray tickets = new AtomicLongArray(n * per);
        AtomicLongArray deadlines = new AtomicLongArray(n * per);
        AtomicIntegerArray fires = new AtomicIntegerArray(n * per);
        AtomicIntegerArray cancels = new AtomicIntegerArray(n * per);
        AtomicIntegerArray early = new AtomicIntegerArray(n * per);
        Ticker.TimerTarget target = (payload, deadline, now) -> {
            fires.incrementAndGet((int) payload);
            if (now < deadline) {
                early.incrementAndGet((int) payload);
            }
        };
        AtomicBoolean producing = new AtomicBoolean(true);
        CyclicBarrier go = new CyclicBarrier(n + 1);
        ExecutorService threads = Executors.newFixedThreadPool(n + 1);
        try {
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                List<Op> ops = c.producers.get(p);
                int base = p * per;
                producers.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < ops.size(); i++) {
                        Op op = ops.get(i);
                        long deadline = clock.nanoTime() + op.delay;
                        deadlines.set(base + i, deadline);
                        tickets.set(base + i, ticker.schedule(deadline, target, base + i));
                        if (op.whose >= 0) {
                            long t = tickets.get(Math.min(op.whose, n - 1) * per + op.pick);
                            if (t != Ticker.NULL_TICKET && ticker.cancel(t)) {
                                cancels.incrementAndGet(index(t, tickets));
                            }
                        }
                    }
                    return null;
                }));
            }
            Future<?> driver = threads.submit(() -> {
                go.await();
                for (int i = 0; producing.get(); i++) {
                    clock.advance(c.steps.get(i % c.steps.size()));
                    ticker.runOnce();
                }
                return null;
            });
            for (Future<?> f : producers) {
                f.get(60, TimeUnit.SECONDS);
            }
            producing.set(false);
            driver.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            threads.shutdownNow();
        }
        clock.advance(100 * TICK);
        for (int round = 0; round < 1_000 && (ticker.pendingTimers() > 0 || ticker.queuedCommands() > 0
                || ticker.behind()); round++) {
            ticker.runOnce();
        }
        ticker.runOnce();
        long fired = 0;
        for (int i = 0; i < tickets.length(); i++) {
            fired += fires.get(i);
            boolean accepted = tickets.get(i) != Ticker.NULL_TICKET;
            int outcomes = fires.get(i) + cancels.get(i);
            if (accepted ? outcomes != 1 : outcomes != 0) {
                fail("timer p" + i / per + "#" + i % per + " (deadline " + deadlines.get(i) + "): fired " + fires.get(i)
                        + ", cancelled " + cancels.get(i) + (accepted ? "" : " though refused"));
            }
            assertEquals(0, early.get(i), "timer " + i + " fired before its deadline");
        }
        assertEquals(0, ticker.pendingTimers());
        assertEquals(0, ticker.queuedCommands());
        assertEquals(fired, ticker.firedTimers());
    }

    /** @return the timer whose ticket is {@code t} (tickets are unique among accepted timers of one run) */
    private static int index(long t, AtomicLongArray tickets) {
        for (int i = 0; i < tickets.length(); i++) {
            if (tickets.get(i) == t) {
                return i;
            }
        }
        throw new AssertionError("cancelled ticket " + t + " was never issued");
    }
}
