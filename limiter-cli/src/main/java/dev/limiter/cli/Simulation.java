package dev.limiter.cli;

import dev.limiter.ManualClock;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Rule;
import dev.limiter.policy.Verdict;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replays timed requests through a policy's gate on a {@link ManualClock} (no real time passes)
 * and counts what happened: per rule admitted and denied, denials per message, admitted and denied
 * per time bucket, and the Retry-After of each denial; requests refused for a missing or malformed
 * key (nothing counted) are a category of their own, by status and message. A request admitted by a concurrency rule
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
    final long[] refusedPerBucket;
    /** Per rule: admitted, denied (over its limit; for a shadow rule, would have denied), refused (a key part missing). */
    final Map<String, long[]> perRule = new LinkedHashMap<>();
    final Map<String, Long> denialsByMessage = new LinkedHashMap<>();
    /** Per shadow rule: how many requests it would have denied. */
    final Map<String, Long> shadowDenials = new LinkedHashMap<>();
    /** Requests some shadow rule would have denied. */
    long shadowDenied;
    /** Refusals, counted nowhere, by {@code STATUS message}. */
    final Map<String, Long> refusalsByReason = new LinkedHashMap<>();
    long requests;
    long admitted;
    long denied;
    long refused;
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
        this.refusedPerBucket = new long[n];
        for (Rule r : policy.rules()) {
            perRule.put(r.name(), new long[3]);
        }
    }

    /** Runs {@code events} (in time order) through a fresh gate for {@code policy}. */
    static Simulation run(Policy policy, Iterator<Event> events, long durationNanos, int buckets) {
        Simulation s = new Simulation(policy, durationNanos, buckets);
        ManualClock clock = new ManualClock(0);
        // Shadow rules are not among a verdict's applied rules: match separately to count them.
        RouteMatcher matcher = RouteMatcher.compile(policy);
        MatchResult match = matcher.newResult();
        try (PolicyGate gate = PolicyGate.builder(policy).clock(clock).build()) {
            while (events.hasNext()) {
                Event e = events.next();
                if (e.nanos() > clock.nanoTime()) {
                    clock.set(e.nanos());
                }
                matcher.match(e.request(), match);
                s.record(e.nanos(), gate.evaluate(e.request(), clock.nanoTime()), match);
            }
        }
        return s;
    }

    private void record(long nanos, Verdict v, MatchResult match) {
        requests++;
        if (v.shadowDenied()) {
            shadowDenied++;
            for (int i = 0; i < v.shadowDeniedCount(); i++) {
                shadowDenials.merge(v.shadowDeniedRule(i).name(), 1L, Long::sum);
            }
        }
        int shadowMatched = 0;
        for (int i = 0; i < match.size() && !v.refused(); i++) {
            Rule r = match.rule(i);
            if (policy.shadows(r)) {
                shadowMatched++;
                boolean wouldDeny = false;
                for (int k = 0; k < v.shadowDeniedCount(); k++) {
                    wouldDeny |= v.shadowDeniedRule(k).equals(r);
                }
                if (v.allowed()) { // shadow rules are evaluated only when the enforcing rules admit
                    perRule.get(r.name())[wouldDeny ? 1 : 0]++;
                }
            }
        }
        int bucket = (int) Math.max(0, Math.min(admittedPerBucket.length - 1, nanos / bucketNanos));
        if (v.allowed()) {
            admitted++;
            admittedPerBucket[bucket]++;
            if (v.ruleCount() == 0 && shadowMatched == 0) {
                unmatched++;
            }
            for (int i = 0; i < v.ruleCount(); i++) {
                perRule.get(v.appliedRule(i).name())[0]++;
            }
            v.complete();
            return;
        }
        if (v.refused()) {
            refused++;
            refusedPerBucket[bucket]++;
            if (v.rule() != null) {
                perRule.get(v.rule().name())[2]++;
            }
            refusalsByReason.merge(v.status() + " " + v.message(), 1L, Long::sum);
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
