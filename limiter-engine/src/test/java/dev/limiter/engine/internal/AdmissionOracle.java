package dev.limiter.engine.internal;

import dev.limiter.engine.internal.kernel.*;
import dev.limiter.engine.internal.table.*;
import dev.limiter.engine.internal.time.*;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Independent oracles over recorded admissions: they know only the guarantee sentences, never the
 * kernels. Each returns null when the guarantee holds, else a readable violation.
 */
public final class AdmissionOracle {
    /** One granted request: key, the time it was made at, and its permits. */
    public static final class Grant {
        final long key;
        final long time;
        final long permits;

        public Grant(long key, long time, long permits) {
            this.key = key;
            this.time = time;
            this.permits = permits;
        }

        @Override
        public String toString() {
            return "{key " + key + ", t=" + time + ", p=" + permits + "}";
        }
    }

    private AdmissionOracle() {
    }

    /**
     * Token bucket: for every key and every interval [a, b] between two grant times, the permits
     * granted in it are at most burst + (b - a) * N / T (exact rational arithmetic).
     */
    public static String tokenBucketViolation(List<Grant> grants, long permits, long periodNanos, long burst) {
        for (List<Grant> perKey : byKey(grants).values()) {
            perKey.sort(Comparator.comparingLong(g -> g.time));
            BigInteger n = BigInteger.valueOf(permits);
            BigInteger t = BigInteger.valueOf(periodNanos);
            BigInteger bT = BigInteger.valueOf(burst).multiply(t);
            for (int i = 0; i < perKey.size(); i++) {
                long sum = 0;
                for (int j = i; j < perKey.size(); j++) {
                    sum += perKey.get(j).permits;
                    if (j + 1 < perKey.size() && perKey.get(j + 1).time == perKey.get(j).time) {
                        continue; // include every grant stamped at the interval's end
                    }
                    BigInteger span = BigInteger.valueOf(perKey.get(j).time).subtract(BigInteger.valueOf(perKey.get(i).time));
                    BigInteger lhs = BigInteger.valueOf(sum).multiply(t);
                    BigInteger rhs = bT.add(span.multiply(n));
                    if (lhs.compareTo(rhs) > 0) {
                        return sum + " permits granted in [" + perKey.get(i).time + ", " + perKey.get(j).time
                                + "] but burst " + burst + " + " + span + "ns * " + permits + "/" + periodNanos
                                + "ns allows less; grants " + perKey.subList(i, j + 1);
                    }
                }
            }
        }
        return null;
    }

    /** Fixed window: in every aligned window, the permits granted are at most N. */
    public static String fixedWindowViolation(List<Grant> grants, long permits, long periodNanos) {
        for (Map.Entry<Long, List<Grant>> e : byKey(grants).entrySet()) {
            Map<Long, Long> perWindow = new TreeMap<>();
            for (Grant g : e.getValue()) {
                perWindow.merge(Math.floorDiv(g.time, periodNanos), g.permits, Long::sum);
            }
            for (Map.Entry<Long, Long> w : perWindow.entrySet()) {
                if (w.getValue() > permits) {
                    return "key " + e.getKey() + ": " + w.getValue() + " permits granted in window " + w.getKey()
                            + " of " + periodNanos + "ns, limit " + permits;
                }
            }
        }
        return null;
    }

    /**
     * Sliding window: in every window [s, s+T), whatever s, the permits granted are at most N. Checks
     * every window that starts at a grant: any window's grants also lie in the window starting at
     * its first grant, so every window is covered.
     */
    public static String slidingWindowViolation(List<Grant> grants, long permits, long periodNanos) {
        for (List<Grant> perKey : byKey(grants).values()) {
            perKey.sort(Comparator.comparingLong(g -> g.time));
            for (int i = 0; i < perKey.size(); i++) {
                long s = perKey.get(i).time;
                long sum = 0;
                int j = i;
                // t in [s, s + T) <=> t - s < T, with t - s read as unsigned (t >= s), so no overflow
                while (j < perKey.size() && Long.compareUnsigned(perKey.get(j).time - s, periodNanos) < 0) {
                    sum += perKey.get(j).permits;
                    j++;
                }
                if (sum > permits) {
                    return sum + " permits granted in the window [" + s + ", " + s + " + " + periodNanos
                            + ") but N = " + permits + ": " + perKey.subList(i, j);
                }
            }
        }
        return null;
    }

    private static Map<Long, List<Grant>> byKey(List<Grant> grants) {
        Map<Long, List<Grant>> m = new TreeMap<>();
        for (Grant g : grants) {
            m.computeIfAbsent(g.key, k -> new ArrayList<>()).add(g);
        }
        return m;
    }
}
