package dev.limiter.cli;

import dev.limiter.ManualClock;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.Rule;
import dev.limiter.policy.Verdict;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replays timed requests through a policy's gate on a {@link ManualClock} (no real time passes)
 * and counts what happened: per rule admitted and denied, denials per message, admitted and denied
 * per time bucket, and the Retry-After of each denial. A request admitted by a concurrency rule
 * completes at once.
 */
final class Simulation {
    /** One request at {@code nanos} after the start. */
    record Event(long nanos, Request request) {
    }

    final Policy policy;
    final long durationNanos;
    final long bucketNanos;
    final long[] admittedPerBucket;
    final long[] deniedPerBucket;
    final Map<String, long[]> perRule = new LinkedHashMap<>();
    final Map<String, Long> denialsByMessage = new LinkedHashMap<>();
    long requests;
    long admitted;
    long denied;
    long unmatched;
    private long[] retryAfter = new long[1024];
    private int denials;

    private Simulation(Policy policy, long durationNanos, int buckets) {
        this.policy = policy;
        this.durationNanos = Math.max(1, durationNanos);
        this.bucketNanos = Math.max(1, (this.durationNanos + buckets - 1) / buckets);
        int n = (int) Math.min(buckets, (this.durationNanos + bucketNanos - 1) / bucketNanos);
        this.admittedPerBucket = new long[n];
        this.deniedPerBucket = new long[n];
        for (Rule r : policy.rules()) {
            perRule.put(r.name(), new long[2]);
        }
    }

    /** Runs {@code events} (in time order) through a fresh gate for {@code policy}. */
    static Simulation run(Policy policy, Iterator<Event> events, long durationNanos, int buckets) {
        Simulation s = new Simulation(policy, durationNanos, buckets);
        ManualClock clock = new ManualClock(0);
        try (PolicyGate gate = PolicyGate.builder(policy).clock(clock).build()) {
            while (events.hasNext()) {
                Event e = events.next();
                if (e.nanos() > clock.nanoTime()) {
                    clock.set(e.nanos());
                }
                s.record(e.nanos(), gate.evaluate(e.request(), clock.nanoTime()));
            }
        }
        return s;
    }

    private void record(long nanos, Verdict v) {
        requests++;
        int bucket = (int) Math.max(0, Math.min(admittedPerBucket.length - 1, nanos / bucketNanos));
        if (v.allowed()) {
            admitted++;
            admittedPerBucket[bucket]++;
            if (v.ruleCount() == 0) {
                unmatched++;
            }
            for (int i = 0; i < v.ruleCount(); i++) {
                perRule.get(v.appliedRule(i).name())[0]++;
            }
            v.complete();
            return;
        }
        denied++;
        deniedPerBucket[bucket]++;
        if (v.rule() != null) {
            perRule.get(v.rule().name())[1]++;
        }
        denialsByMessage.merge(v.message() == null ? "(no message)" : v.message(), 1L, Long::sum);
        if (denials == retryAfter.length) {
            retryAfter = Arrays.copyOf(retryAfter, denials * 2);
        }
        retryAfter[denials++] = v.retryAfterNanos();
    }

    /** @return the {@code q}-quantile (0..1) of the denials' Retry-After in nanoseconds; -1 without denials */
    long retryAfterQuantile(double q) {
        if (denials == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(retryAfter, denials);
        Arrays.sort(sorted);
        return sorted[(int) Math.min(denials - 1, Math.round(q * (denials - 1)))];
    }

    /** @return the simulated seconds */
    double seconds() {
        return durationNanos / 1e9;
    }
}
