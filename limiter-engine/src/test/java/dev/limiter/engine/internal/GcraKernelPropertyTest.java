package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import dev.limiter.Decision;
import dev.limiter.Limit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * The token bucket's guarantee — in any interval of length t, granted &le; burst + rate&middot;t —
 * checked on generated traces against an oracle that knows only that sentence, and its decisions
 * checked against an independent token-bucket model (credit in BigInteger, refilled continuously).
 */
class GcraKernelPropertyTest {
    private static final int KEYS = 3;

    @Test
    void neverExceedsBurstPlusRateAndMatchesTheBucketModel() {
        qt().withExamples(Traces.EXAMPLES)
                .forAll(Traces.cases(true, KEYS))
                .checkAssert(c -> check(c.spec, c.start, c.steps));
    }

    private static void check(Traces.Spec spec, long start, List<Traces.Step> steps) {
        Limit limit = Limit.tokenBucket("p", spec.permits, Duration.ofNanos(spec.period)).burst(spec.burst).build();
        GcraKernel kernel = new GcraKernel(limit);
        UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * KEYS));
        BucketModel[] models = new BucketModel[KEYS];
        for (int k = 0; k < KEYS; k++) {
            models[k] = new BucketModel(kernel.intervalNanos(), spec.burst);
        }
        List<AdmissionOracle.Grant> grants = new ArrayList<>();
        Decision d = new Decision();
        long now = start;
        for (Traces.Step s : steps) {
            now = Traces.move(now, s);
            if (s.permits > spec.burst) {
                continue; // refused before any kernel runs (unsatisfiable); covered by engine tests
            }
            boolean granted = Steps.tryAcquire(kernel, buffer, 8 * s.key, s.permits, now, d);
            assertEquals(granted, d.allowed(), "decision holder disagrees with the return value");
            BucketModel m = models[s.key];
            Boolean expected = m.admit(now, s.permits);
            if (expected != null) {
                assertEquals(expected, granted, () -> "model and kernel disagree at t=" + m.lastTime + " for " + s);
            } else if (granted) {
                // outside the model's comparable region (time went back, or past the end of time): the
                // kernel may only be more conservative, which the guarantee oracle below checks
                m.invalidate();
            }
            if (granted) {
                grants.add(new AdmissionOracle.Grant(s.key, now, s.permits));
                assertTrue(d.remaining() >= 0 && d.retryAfterNanos() == 0, d::toString);
            } else {
                assertTrue(d.retryAfterNanos() > 0, d::toString);
            }
        }
        assertNull(AdmissionOracle.tokenBucketViolation(grants, spec.permits, spec.period, spec.burst));
    }

    /**
     * A continuous token bucket: credit (in nanoseconds of work) refills one per nanosecond up to
     * tau = burst * I, and p permits cost p * I. Comparable with the kernel while time never goes
     * back on a key and the kernel's arrival time stays below Long.MAX_VALUE (the end of time).
     */
    private static final class BucketModel {
        private static final BigInteger END_OF_TIME = BigInteger.valueOf(Long.MAX_VALUE);
        private final BigInteger interval;
        private final BigInteger tau;
        private BigInteger credit;
        private long lastTime;
        private boolean started;
        private boolean comparable = true;

        BucketModel(long interval, long burst) {
            this.interval = BigInteger.valueOf(interval);
            this.tau = BigInteger.valueOf(burst).multiply(this.interval);
            this.credit = tau;
        }

        void invalidate() {
            comparable = false;
        }

        /** @return the model's decision, or null when the model cannot be compared */
        Boolean admit(long now, long permits) {
            if (started && now < lastTime) {
                comparable = false;
            }
            if (!comparable) {
                return null;
            }
            if (started) {
                credit = credit.add(BigInteger.valueOf(now).subtract(BigInteger.valueOf(lastTime))).min(tau);
            }
            started = true;
            lastTime = now;
            BigInteger cost = BigInteger.valueOf(permits).multiply(interval);
            // the kernel stores the arrival time now + tau - credit + cost; it refuses one at or past
            // Long.MAX_VALUE, which is the eviction's frozen word and never a published arrival time
            BigInteger arrival = BigInteger.valueOf(now).add(tau).subtract(credit).add(cost);
            boolean fits = credit.compareTo(cost) >= 0;
            if (fits && (arrival.compareTo(END_OF_TIME) >= 0 || tau.bitLength() > 63)) {
                comparable = false;
                return null;
            }
            if (fits) {
                credit = credit.subtract(cost);
            }
            return fits;
        }
    }
}
