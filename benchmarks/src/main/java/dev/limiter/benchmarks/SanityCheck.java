package dev.limiter.benchmarks;

import com.google.common.util.concurrent.RateLimiter;
import dev.limiter.engine.OffHeapEngine;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Proves, before any figure is believed, that every configuration in {@link Contenders} answers
 * as its benchmark assumes: each "allowed" setup grants every call, each "denied" setup refuses
 * every call. Without it a benchmark could time a limiter that always says no (or always yes)
 * and report it as the other path.
 *
 * <p>Runs the very objects the benchmarks build ({@link SingleKeyContenders}, and the per-key
 * factories of {@link OneMillionKeysBenchmark}), {@value #CALLS} calls each, and exits with
 * status 1, naming every failing setup, if any setup misbehaves. {@code benchmarks/run.sh} runs
 * it before the suite; {@code SanityCheckTest} runs it under {@code mvn test}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.limiter.benchmarks.SanityCheck
 * </pre>
 */
public final class SanityCheck {
    /** Calls made on each setup. */
    public static final int CALLS = 200_000;

    private SanityCheck() {
    }

    /** Runs every check; exits with status 1 when one fails. */
    public static void main(String[] args) {
        List<String> failures = failures();
        if (!failures.isEmpty()) {
            System.err.println("SANITY CHECK FAILED: a benchmark would measure the wrong path");
            failures.forEach(f -> System.err.println("  " + f));
            System.exit(1);
        }
        System.out.println("sanity check passed: every allowed setup grants, every denied setup refuses");
    }

    /** @return one line per setup that answered against its setting; empty when all are right */
    public static List<String> failures() {
        List<String> failures = new ArrayList<>();
        singleKey(Contenders.Setting.ALLOWED, failures);
        singleKey(Contenders.Setting.DENIED, failures);
        manyKeys(failures);
        return failures;
    }

    private static void singleKey(Contenders.Setting setting, List<String> failures) {
        SingleKeyContenders c = new SingleKeyContenders() { };
        c.open(setting);
        try {
            boolean want = setting == Contenders.Setting.ALLOWED;
            long[] now = {System.nanoTime()};
            String where = "single key, " + setting.name().toLowerCase(java.util.Locale.ROOT) + ": ";
            expect(where + "engine, own clock", want, () -> c.limiter.tryAcquire(SingleKeyContenders.KEY), failures);
            expect(where + "engine, now passed", want,
                    () -> c.limiter.tryAcquire(SingleKeyContenders.KEY, 1, ++now[0]), failures);
            expect(where + "engine handle, own clock", want, () -> c.handle.tryAcquire(), failures);
            // re-read the clock as PassedNow does per iteration: the own-clock phase before may have
            // taken longer than the burst on a loaded machine, leaving the counter behind the bucket
            now[0] = System.nanoTime();
            expect(where + "engine handle, now passed", want, () -> c.handle.tryAcquire(1, ++now[0]), failures);
            expect(where + "bucket4j lock-free", want, () -> c.bucket4jLockFree.tryConsume(1), failures);
            expect(where + "bucket4j synchronized", want, () -> c.bucket4jSynchronized.tryConsume(1), failures);
            expect(where + "resilience4j", want, () -> c.resilience4j.acquirePermission(), failures);
            expect(where + "guava", want, () -> c.guava.tryAcquire(), failures);
        } finally {
            c.close();
        }
    }

    /** The 1M-key setups on a smaller key set: every key new, then every key again, all granted. */
    private static void manyKeys(List<String> failures) {
        int keys = 10_000;
        long[] ids = new long[keys];
        for (int i = 0; i < keys; i++) {
            ids[i] = 0x1234_5678L * (i + 1);
        }
        try (OffHeapEngine engine = Contenders.engine(Contenders.Setting.ALLOWED, keys)) {
            var limiter = engine.rateLimiter(Contenders.LIMIT_NAME);
            int[] i = {0};
            expect("1M keys: engine", true, () -> limiter.tryAcquire(ids[i[0]++ % keys]), failures);
        }
        var b4jLockFree = new java.util.concurrent.ConcurrentHashMap<Long, Bucket>();
        var b4jSync = new java.util.concurrent.ConcurrentHashMap<Long, Bucket>();
        var r4j = new java.util.concurrent.ConcurrentHashMap<Long, AtomicRateLimiter>();
        var guava = new java.util.concurrent.ConcurrentHashMap<Long, RateLimiter>();
        int[] i = {0, 0, 0, 0};
        expect("1M keys: bucket4j lock-free", true, () -> b4jLockFree.computeIfAbsent(ids[i[0]++ % keys],
                id -> OneMillionKeysBenchmark.newBucket4jLockFree()).tryConsume(1), failures);
        expect("1M keys: bucket4j synchronized", true, () -> b4jSync.computeIfAbsent(ids[i[1]++ % keys],
                id -> OneMillionKeysBenchmark.newBucket4jSynchronized()).tryConsume(1), failures);
        expect("1M keys: resilience4j", true, () -> r4j.computeIfAbsent(ids[i[2]++ % keys],
                id -> OneMillionKeysBenchmark.newResilience4j()).acquirePermission(), failures);
        expect("1M keys: guava", true, () -> guava.computeIfAbsent(ids[i[3]++ % keys],
                id -> OneMillionKeysBenchmark.newGuava()).tryAcquire(), failures);
    }

    static void expect(String setup, boolean want, BooleanSupplier call, List<String> failures) {
        long wrong = 0;
        for (int n = 0; n < CALLS; n++) {
            if (call.getAsBoolean() != want) {
                wrong++;
            }
        }
        if (wrong > 0) {
            failures.add(setup + ": " + wrong + " of " + CALLS + " calls " + (want ? "denied" : "granted")
                    + ", expected every call " + (want ? "granted" : "denied"));
        }
    }
}
