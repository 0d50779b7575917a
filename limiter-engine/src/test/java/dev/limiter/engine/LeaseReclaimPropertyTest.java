package dev.limiter.engine;

import dev.limiter.ConcurrencyLimiter;
import dev.limiter.Lease;
import dev.limiter.Limit;
import dev.limiter.ManualClock;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Reclaim on time, against an independent model of the leases (when each was taken, whether the
 * test released it), on random traces of time steps, acquires and releases with a ManualClock and
 * {@link OffHeapEngine#runTimers()} after every step:
 * <ul>
 *   <li>a lease is never reclaimed before its max hold H;</li>
 *   <li>a lease not released is reclaimed once the clock is H + 1 tick past its grant;</li>
 *   <li>safety: a grant never makes the permits of unreleased leases younger than H exceed N;</li>
 *   <li>liveness: a request is granted whenever the unreleased, unreclaimed leases leave room -
 *       with the timer there is no 2H tail.</li>
 * </ul>
 */
class LeaseReclaimPropertyTest {
    private static final long N = 10;
    private static final long H = Duration.ofMillis(40).toNanos();

    /** dt in microseconds, then key (0..1), permits (1..5), or a release of lease #pick when permits is 0. */
    static final class Op {
        final long dtMicros;
        final int key;
        final int permits;
        final int pick;

        Op(long dtMicros, int key, int permits, int pick) {
            this.dtMicros = dtMicros;
            this.key = key;
            this.permits = permits;
            this.pick = pick;
        }

        @Override
        public String toString() {
            return "+" + dtMicros + "us " + (permits == 0 ? "release#" + pick : "k" + key + " p" + permits);
        }
    }

    static final class Held {
        final Lease lease;
        final int key;
        final long at;
        boolean released;

        Held(Lease lease, int key, long at) {
            this.lease = lease;
            this.key = key;
            this.at = at;
        }
    }

    private static Gen<Op> ops() {
        Gen<Long> dt = integers().between(0, 3).flatMap(kind -> kind == 0
                ? integers().between(0, 90_000).map(Integer::longValue)      // up to 2H and more
                : integers().between(0, 3_000).map(Integer::longValue));     // within a few ticks
        return dt.zip(integers().between(0, 1), integers().between(0, 5), integers().between(0, 1_000),
                (d, k, p, pick) -> new Op(d, k, p, pick));
    }

    @Test
    void leasesAreReclaimedAtHNeverBeforeAndAtMostOneTickAfter() {
        qt().withExamples(200).forAll(lists().of(ops()).ofSizeBetween(1, 120)).checkAssert(this::check);
    }

    private void check(List<Op> trace) {
        ManualClock clock = new ManualClock(0);
        try (OffHeapEngine e = OffHeapEngine.builder().clock(clock)
                .limit(Limit.concurrency("c", N, Duration.ofNanos(H)).build(), 16).build()) {
            ConcurrencyLimiter l = e.concurrencyLimiter("c");
            long tick = e.timerTickNanos();
            List<Held> leases = new ArrayList<>();
            for (Op op : trace) {
                long now = clock.advance(op.dtMicros * 1_000);
                e.runTimers();
                for (Held h : leases) {
                    boolean reclaimed = h.lease.wasReclaimed();
                    if (reclaimed && (h.released || now - h.at < H)) {
                        fail("lease taken at " + h.at + " reclaimed at or before " + now + (h.released ? " after release" : ""));
                    }
                    if (!h.released && !reclaimed && now - h.at >= H + tick) {
                        fail("lease taken at " + h.at + " still held at " + now + " (H + tick = " + (H + tick) + ")");
                    }
                }
                if (op.permits == 0) {
                    if (!leases.isEmpty()) {
                        Held h = leases.get(op.pick % leases.size());
                        boolean late = h.lease.wasReclaimed();
                        h.lease.close();                 // a late release is a no-op that keeps reporting the reclaim
                        if (late != h.lease.wasReclaimed()) {
                            fail("release changed wasReclaimed() of the lease taken at " + h.at);
                        }
                        h.released |= !late;
                    }
                    continue;
                }
                long young = 0;
                long counted = 0;
                for (Held h : leases) {
                    if (h.key == op.key && !h.released) {
                        young += now - h.at < H ? h.lease.permits() : 0;
                        counted += h.lease.wasReclaimed() ? 0 : h.lease.permits();
                    }
                }
                Lease granted = l.tryLease(op.key, op.permits, now, null);
                if (granted != null) {
                    if (young + op.permits > N) {
                        fail("granted " + op.permits + " at " + now + " with " + young + " held by leases younger than H");
                    }
                    leases.add(new Held(granted, op.key, now));
                } else if (counted + op.permits <= N) {
                    fail("refused " + op.permits + " at " + now + " with only " + counted + " unreleased, unreclaimed");
                }
            }
            long expected = leases.stream().filter(h -> h.lease.wasReclaimed()).count();
            assertEquals(expected, e.reclaimedLeases());
        }
    }
}
