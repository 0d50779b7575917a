package dev.limiter.engine.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A brute-force oracle for "in every window [s, s+T), whatever s, granted &le; N": it knows only that
 * sentence. It checks every window that starts at a grant (any window's grants are also inside the
 * window starting at its first grant), so every window is covered.
 */
public final class WindowOracle {
    /** One grant: key, the time it counts at, permits. */
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
            return "{k" + key + " t=" + time + " p" + permits + "}";
        }
    }

    private WindowOracle() {
    }

    /** @return null when every window of length {@code period} holds at most {@code permits}, else a readable violation */
    public static String violation(List<Grant> grants, long permits, long period) {
        Map<Long, List<Grant>> byKey = new TreeMap<>();
        for (Grant g : grants) {
            byKey.computeIfAbsent(g.key, x -> new ArrayList<>()).add(g);
        }
        for (List<Grant> perKey : byKey.values()) {
            perKey.sort(Comparator.comparingLong(g -> g.time));
            for (int i = 0; i < perKey.size(); i++) {
                long s = perKey.get(i).time;
                long sum = 0;
                int j = i;
                // t in [s, s + T) <=> t - s < T, with t - s read as unsigned (t >= s), so no overflow
                while (j < perKey.size() && Long.compareUnsigned(perKey.get(j).time - s, period) < 0) {
                    sum += perKey.get(j).permits;
                    j++;
                }
                if (sum > permits) {
                    return sum + " permits granted in the window [" + s + ", " + s + " + " + period + ") but N = "
                            + permits + ": " + perKey.subList(i, j);
                }
            }
        }
        return null;
    }
}
