package dev.limiter.engine;

import dev.limiter.Decision;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.LimitHandle;
import dev.limiter.Limiter;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Eviction never changes a decision (../shared/EVICTION.md): the same trace runs on an engine that
 * evicts (a complete table rotation at random points, {@link IdleKeyEviction#evictNow()}) and on
 * one that never does, whose eviction mark W is raised at the same points to the same clock reading
 * (the decision rule both share: act at max(now, W)). Every decision, with all its figures, must be
 * equal, for every algorithm, with stale callers, keys that decay between accesses, handles that
 * cached a slot before the key moved, and leases released after their key moved.
 */
class EvictionDifferentialPropertyTest {
    static final int EXAMPLES = Math.max(50, Integer.getInteger("limiter.property.examples", 1000) / 2);
    private static final int KEYS = 6;
    private static final long UNIT = 100;

    /** One step of a trace, decoded from a generated int so that shrinking stays readable. */
    static final class Step {
        final int kind;      // 0-3 acquire by key, 4 via handle, 5 evict (mark), 6 release a lease, 7 clock only
        final int key;
        final long permits;
        final long advance;
        final long stale;

        Step(int x) {
            this.kind = x % 8;
            this.key = (x >> 3) % KEYS;
            this.permits = 1 + (x >> 6) % 3;
            this.advance = ((x >> 8) % 8) * UNIT / 2;
            this.stale = ((x >> 11) % 4) * UNIT / 2;
        }

        @Override
        public String toString() {
            String what = kind < 4 ? "acquire" : kind == 4 ? "handle" : kind == 5 ? "EVICT" : kind == 6 ? "release"
                    : "tick";
            return "+" + advance + " " + what + "(k" + key + ", p" + permits + ", stale " + stale + ")";
        }
    }

    static Gen<List<Step>> traces() {
        return lists().of(integers().between(0, (1 << 13) - 1).map(Step::new)).ofSizeBetween(1, 80);
    }

    private static List<Decision> run(Limit limit, List<Step> trace, boolean evicts) {
        ManualClock clock = new ManualClock(-3 * UNIT);
        List<Decision> out = new ArrayList<>();
        try (OffHeapEngine engine = OffHeapEngine.builder().clock(clock).evictIdleKeys(evicts).seed(7)
                .limit(limit, 32).build()) {
            OffHeapLimiter l = (OffHeapLimiter) engine.limiter(limit.name());
            List<Lease> leases = new ArrayList<>();
            List<LimitHandle> handles = new ArrayList<>();
            for (int k = 0; k < KEYS && plain(l); k++) {
                handles.add(l.handle("key-" + k));
            }
            for (Step s : trace) {
                long now = clock.advance(s.advance) - s.stale;
                Decision d = new Decision();
                switch (s.kind) {
                    case 5:
                        if (evicts) {
                            engine.eviction().evictNow();
                        } else {
                            l.floor().raiseTo(clock.nanoTime());
                        }
                        continue;
                    case 6:
                        if (!leases.isEmpty()) {
                            leases.remove(s.key % leases.size()).close();
                        }
                        continue;
                    case 7:
                        continue;
                    default:
                        break;
                }
                boolean ok;
                switch (limit.algorithm()) {
                    case CONCURRENCY:
                        Lease lease = l.tryLease("key-" + s.key, s.permits, now, d);
                        ok = lease != null;
                        if (ok) {
                            leases.add(lease);
                        }
                        break;
                    case CARDINALITY:
                        ok = l.tryAdmit("key-" + s.key, "m" + s.permits, now, d);
                        break;
                    default:
                        ok = s.kind == 4 ? handles.get(s.key).tryAcquire(s.permits, now, d)
                                : l.tryAcquire("key-" + s.key, s.permits, now, d);
                        break;
                }
                assertEquals(ok, d.allowed());
                out.add(d);
            }
        }
        return out;
    }

    private static boolean plain(OffHeapLimiter l) {
        switch (l.algorithm()) {
            case CONCURRENCY:
            case CARDINALITY:
                return false;
            default:
                return true;
        }
    }

    private static void sameDecisions(Limit limit) {
        qt().withExamples(EXAMPLES).forAll(traces()).checkAssert(trace -> {
            List<Decision> kept = run(limit, trace, false);
            List<Decision> evicted = run(limit, trace, true);
            assertEquals(kept.size(), evicted.size());
            for (int i = 0; i < kept.size(); i++) {
                assertEquals(describe(kept.get(i)), describe(evicted.get(i)), "decision " + i + " of " + trace);
            }
        });
    }

    private static String describe(Decision d) {
        return d.outcome() + " remaining " + d.remaining() + " retry " + d.retryAfterNanos() + " reset "
                + d.resetAfterNanos();
    }

    private static Limit of(Function<Duration, Limit.Builder> b) {
        return b.apply(Duration.ofNanos(4 * UNIT)).build();
    }

    @Test
    void tokenBucket() {
        sameDecisions(of(t -> Limit.tokenBucket("l", 3, t).burst(2)));
    }

    @Test
    void fixedWindow() {
        sameDecisions(of(t -> Limit.fixedWindow("l", 3, t)));
    }

    @Test
    void slidingWindow() {
        sameDecisions(of(t -> Limit.slidingWindow("l", 4, t).subWindows(2)));
    }

    @Test
    void concurrency() {
        sameDecisions(of(t -> Limit.concurrency("l", 3, t)));
    }

    @Test
    void quota() {
        sameDecisions(Limit.quota("l", 5).build());
    }

    @Test
    void cardinality() {
        sameDecisions(Limit.cardinality("l", 2).build());
    }
}
