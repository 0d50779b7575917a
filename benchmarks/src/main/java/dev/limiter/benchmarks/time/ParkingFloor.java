package dev.limiter.benchmarks.time;

import org.HdrHistogram.Recorder;

import java.util.concurrent.locks.LockSupport;

/*
 * The physical floor of a timer thread's lateness: a bare thread (no engine, no wheel) that parks
 * until each deadline of a series with LockSupport.parkNanos, the way the engine's ticker parks
 * until its next due time, and records how late it woke: the reading of System.nanoTime() at
 * wake-up minus the deadline. Every deadline at or before that reading counts as served by this
 * wake-up, as a ticker fires every due timer of a cycle at the cycle's reading. What it measures is
 * what the operating system gives any parked thread on the same machine under the same load (timer
 * slack, wake-up and scheduling latency); no timer thread that parks can be less late.
 *
 * The deadlines are the waits' own conformance times, published by the driver in increasing order
 * (the same phase against the driver's wake-ups as the ticker's deadlines have), each about one
 * emission interval before it is due. The thread reads them in order; one not published yet is
 * waited for in short parks (only at the start: later ones are published long before they are due).
 *
 * Memory ordering: the driver writes deadlines[i], then `published` = i + 1 (volatile store); the
 * parker reads `published` (volatile load), then deadlines[j] for j below it. Single producer,
 * single consumer.
 */
/** A bare thread that parks until each of a series of published deadlines and records its own lateness (ns). */
final class ParkingFloor {
    private final long[] deadlines;
    private final Recorder into;
    private final Thread parker;
    private volatile int published;

    /** Starts the parker for {@code count} deadlines, each one's lateness recorded in {@code into}. */
    ParkingFloor(int count, Recorder into) {
        this.deadlines = new long[count];
        this.into = into;
        this.parker = new Thread(this::run, "parking-floor");
        parker.setDaemon(true);
        parker.start();
    }

    /** Publishes the next deadline (the driver's thread only; each no earlier than the previous one). */
    void add(long deadlineNanos) {
        int i = published;
        deadlines[i] = deadlineNanos;
        published = i + 1;
    }

    /** Waits for the parker to serve every deadline. */
    void join() throws InterruptedException {
        parker.join();
    }

    private void run() {
        int served = 0;
        while (served < deadlines.length) {
            while (published <= served) {
                LockSupport.parkNanos(10_000);         // not published yet: only before the first ones
            }
            long deadline = deadlines[served];
            long now = System.nanoTime();
            while (now - deadline < 0) {
                LockSupport.parkNanos(deadline - now);
                now = System.nanoTime();
            }
            int known = published;
            do {                                       // every deadline due at this reading is served by it
                into.recordValue(now - deadlines[served]);
                served++;
            } while (served < known && now - deadlines[served] >= 0);
        }
    }
}
