package dev.limiter.redis;

import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redis-server process is killed (SIGKILL) and restarted on the same port in the middle of a
 * run of three leased instances with three threads each: the configured failure mode is what the
 * callers see while it is down, nobody gets an exception, nothing is granted beyond what the mode
 * documents, and every instance returns to Redis by itself once it is back.
 *
 * <p>Caller time on a shared {@link ManualClock}, moved only between steps, so the windows of the
 * trace are exact; the one real-time wait is the recovery, polled with a deadline.
 */
class FleetFaultTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long STEP = SECOND / 10;
    private static final int INSTANCES = 3;
    private static final long N = 30;
    private static final Limit LIMIT = Limit.fixedWindow("fw", N, Duration.ofSeconds(1)).build();

    /** A grant of the trace: when, by which instance, decided by whom. */
    record Grant(long time, int instance, RedisDecision.Source source) {
    }

    @Test
    void failOpenGrantsTheLocalShareWhileRedisIsDownAndReturnsToRedis() {
        Outage o = runOutage(FailureMode.FAIL_OPEN_LOCAL);
        // while Redis is down: only the local limits grant, each at most N / instances per window
        Map<String, Long> perInstance = count(o.grants, g -> g.time() >= o.downFrom && g.time() < o.downTo,
                g -> Math.floorDiv(g.time(), SECOND) + "@" + g.instance());
        perInstance.forEach((w, c) -> assertTrue(c <= N / INSTANCES, () -> c + " local grants in window " + w));
        assertTrue(o.grants.stream().anyMatch(g -> g.time() >= o.downFrom && g.time() < o.downTo
                && g.source() == RedisDecision.Source.LOCAL_FALLBACK), "the local limit granted while Redis was down");
        o.grants.stream().filter(g -> g.time() >= o.downFrom && g.time() < o.downTo)
                .forEach(g -> assertEquals(RedisDecision.Source.LOCAL_FALLBACK, g.source(), g::toString));
        assertEquals(0, o.unavailable, "failing open never answers BACKEND_UNAVAILABLE");
        o.check();
    }

    @Test
    void failClosedGrantsNothingWhileRedisIsDownAndReturnsToRedis() {
        Outage o = runOutage(FailureMode.FAIL_CLOSED);
        assertTrue(o.grants.stream().noneMatch(g -> g.time() >= o.downFrom && g.time() < o.downTo),
                "nothing is granted in a window that began after Redis went down");
        assertTrue(o.unavailable > 0, "requests while Redis was down were answered BACKEND_UNAVAILABLE");
        o.check();
    }

    /**
     * A slow Redis (every client paused for 3 s by CLIENT PAUSE): a request that gets no reply within
     * the time-out is answered by the failure mode, later requests do not wait for Redis at all, and
     * the limiter returns to Redis once the pause is over.
     */
    @Test
    void aSlowRedisIsAFailureUntilItAnswersAgain() {
        ManualClock clock = new ManualClock(0);
        try (RedisServerProcess server = RedisServerProcess.start();
             RedisLimiter redis = RedisLimiter.builder().uri(server.uri()).clock(clock).timeout(Duration.ofMillis(200))
                     .limit(LIMIT, TimeMode.CALLER).build();
             FleetLimiter fleet = FleetLimiter.builder(redis).failureMode(FailureMode.FAIL_OPEN_LOCAL, INSTANCES)
                     .probe(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            assertEquals(RedisDecision.Source.REDIS, fleet.acquireAsync("fw", "k", 1).toCompletableFuture().join().source());
            assertEquals("+OK", server.command("CLIENT PAUSE 3000 ALL"));
            RedisDecision slow = fleet.acquireAsync("fw", "k", 1).toCompletableFuture().join();
            assertEquals(RedisDecision.Source.LOCAL_FALLBACK, slow.source(), slow::toString);
            assertTrue(fleet.metrics().degraded());
            long failures = fleet.metrics().backendFailures();
            RedisDecision next = fleet.acquireAsync("fw", "k", 1).toCompletableFuture().join();
            assertEquals(RedisDecision.Source.LOCAL_FALLBACK, next.source());
            assertEquals(failures, fleet.metrics().backendFailures(), "a degraded limiter does not send and wait for the time-out");
            long deadline = System.nanoTime() + 30 * SECOND;
            RedisDecision back;
            do {
                assertTrue(System.nanoTime() < deadline, "did not return to Redis within 30 s");
                clock.advance(SECOND);
                back = fleet.acquireAsync("fw", "k", 1).toCompletableFuture().join();
                if (back.source() == RedisDecision.Source.LOCAL_FALLBACK) {
                    try {
                        Thread.sleep(50);                              // pacing the poll, not an assertion on time
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            } while (back.source() == RedisDecision.Source.LOCAL_FALLBACK);
            assertEquals(RedisOutcome.ALLOWED, back.outcome(), back::toString);
            assertTrue(fleet.metrics().recoveries() >= 1, fleet.metrics()::toString);
        }
    }

    /** What one run saw: the trace, the windows while Redis was down, and the final metrics. */
    static final class Outage {
        final List<Grant> grants = new ArrayList<>();
        long downFrom;
        long downTo;
        long upFrom;
        long unavailable;
        final List<FleetMetrics> metrics = new ArrayList<>();

        /** The bounds every mode keeps: at most 2N in any window, N once back on Redis; all instances degraded and recovered. */
        void check() {
            count(grants, g -> true, g -> Long.toString(Math.floorDiv(g.time(), SECOND))).forEach((w, c) ->
                    assertTrue(c <= 2 * N, () -> c + " grants in window " + w + ", more than 2N"));
            count(grants, g -> g.time() >= upFrom, g -> Long.toString(Math.floorDiv(g.time(), SECOND))).forEach((w, c) ->
                    assertTrue(c <= N, () -> c + " grants in window " + w + " after recovery"));
            assertTrue(grants.stream().filter(g -> g.time() >= upFrom).allMatch(g -> g.source() != RedisDecision.Source.LOCAL_FALLBACK),
                    "after recovery Redis decides again");
            assertTrue(grants.stream().anyMatch(g -> g.time() >= upFrom), "grants after recovery");
            for (FleetMetrics m : metrics) {
                assertTrue(m.degradedEntries() >= 1 && m.backendFailures() >= 1 && m.recoveries() >= 1 && !m.degraded(), m::toString);
            }
        }
    }

    private static Outage runOutage(FailureMode mode) {
        Outage o = new Outage();
        ManualClock clock = new ManualClock(0);
        ConcurrentLinkedQueue<Grant> grants = new ConcurrentLinkedQueue<>();
        long[] unavailable = {0};
        try (RedisServerProcess server = RedisServerProcess.start()) {
            List<RedisLimiter> limiters = new ArrayList<>();
            List<FleetLimiter> fleet = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                RedisLimiter redis = RedisLimiter.builder().uri(server.uri()).clock(clock).timeout(Duration.ofMillis(500))
                        .limit(LIMIT, TimeMode.CALLER).build();
                limiters.add(redis);
                fleet.add(FleetLimiter.builder(redis).lease("fw", 4).failureMode(mode, INSTANCES)
                        .probe(Duration.ofMillis(20), Duration.ofMillis(500)).build());
            }
            steps(fleet, clock, 30, grants, unavailable);                  // three windows on Redis
            server.kill();
            clock.set(nextWindow(clock.nanoTime()));
            o.downFrom = clock.nanoTime();
            steps(fleet, clock, 30, grants, unavailable);                  // three windows with Redis down
            o.unavailable = unavailable[0];
            server.restart();
            clock.set(nextWindow(clock.nanoTime()));
            o.downTo = clock.nanoTime();
            awaitRecovery(fleet, clock, grants);
            clock.set(nextWindow(clock.nanoTime()));
            o.upFrom = clock.nanoTime();
            steps(fleet, clock, 30, grants, unavailable);                  // three windows on Redis again
            fleet.forEach(f -> o.metrics.add(f.metrics()));
            fleet.forEach(FleetLimiter::close);
            limiters.forEach(RedisLimiter::close);
        }
        o.grants.addAll(grants);
        return o;
    }

    private static long nextWindow(long t) {
        return (Math.floorDiv(t, SECOND) + 1) * SECOND;
    }

    /** Every instance asks (at the clock's time, not moving it) until Redis decides for it again; real-time deadline. */
    private static void awaitRecovery(List<FleetLimiter> fleet, ManualClock clock, ConcurrentLinkedQueue<Grant> grants) {
        long deadline = System.nanoTime() + 30 * SECOND;
        for (int i = 0; i < fleet.size(); i++) {
            while (true) {
                RedisDecision d = fleet.get(i).acquireAsync("fw", "hot", 1).toCompletableFuture().join();
                if (d.allowed()) {
                    grants.add(new Grant(clock.nanoTime(), i, d.source()));
                }
                if (d.source() != RedisDecision.Source.LOCAL_FALLBACK && d.outcome() != RedisOutcome.BACKEND_UNAVAILABLE) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "instance " + i + " did not return to Redis within 30 s: " + d);
                try {
                    Thread.sleep(10);                                      // pacing the poll, not an assertion on time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Runs `steps` steps of STEP: every thread (three per instance) asks three times per step; grants are recorded. */
    private static void steps(List<FleetLimiter> fleet, ManualClock clock, int steps, ConcurrentLinkedQueue<Grant> grants,
                              long[] unavailable) {
        int threads = fleet.size() * 3;
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> clock.advance(STEP));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int instance = t % fleet.size();
            workers.add(new Thread(() -> {
                try {
                    for (int s = 0; s < steps; s++) {
                        barrier.await();
                        for (int a = 0; a < 3; a++) {
                            long now = clock.nanoTime();
                            RedisDecision d = fleet.get(instance).acquireAsync("fw", "hot", 1).toCompletableFuture().join();
                            if (d.allowed()) {
                                grants.add(new Grant(now, instance, d.source()));
                            } else if (d.outcome() == RedisOutcome.BACKEND_UNAVAILABLE) {
                                synchronized (unavailable) {
                                    unavailable[0]++;
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    barrier.reset();
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a caller saw an exception", failure.get());
        }
    }

    private static Map<String, Long> count(List<Grant> grants, java.util.function.Predicate<Grant> which,
                                           java.util.function.Function<Grant, String> key) {
        Map<String, Long> counts = new TreeMap<>();
        grants.stream().filter(which).forEach(g -> counts.merge(key.apply(g), 1L, Long::sum));
        return counts;
    }
}
