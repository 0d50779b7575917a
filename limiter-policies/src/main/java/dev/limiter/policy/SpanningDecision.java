package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.CardinalityLimiter;
import dev.limiter.Decision;
import dev.limiter.LimiterEngine;

/**
 * The decision of a request whose enforcing rules live in more than one engine, which happens
 * after a {@link PolicyGate#swap swap} kept some rules' limiters and made a new engine for the
 * others. Each engine decides its own checks atomically, oldest engine first; when a later engine
 * denies, the concurrency permits taken in the earlier ones are returned, but their other permits
 * stay taken (no engine can take back a rate-limit grant). Such a request is therefore never
 * over-admitted; at worst it costs permits of the earlier engines' rules although it was denied.
 * This path allocates (one check list and decision per engine); a request whose rules share an
 * engine never takes it.
 */
final class SpanningDecision {
    private Decision decision;
    private int deciding;
    private HeldPermits held;

    /**
     * @param checkRule the policy index of each check's rule
     * @return whether every engine admitted its checks
     */
    boolean decide(GateState s, Checks checks, int[] checkRule, int n, long nowNanos) {
        LimiterEngine[] engines = s.engines();
        Checks[] sub = new Checks[engines.length];
        int[][] original = new int[engines.length][n];
        for (int c = 0; c < n; c++) {
            int g = s.generation(checkRule[c]);
            if (sub[g] == null) {
                sub[g] = new Checks(n);
            }
            original[g][sub[g].size()] = c;
            if (checks.hasMember(c)) {
                sub[g].addMember((CardinalityLimiter) checks.limiter(c), checks.stringKey(c).toString(),
                        checks.memberStringKey(c).toString());
            } else {
                sub[g].add(checks.limiter(c), checks.stringKey(c).toString(), checks.permits(c));
            }
        }
        decision = null;
        held = null;
        for (int g = 0; g < engines.length; g++) {
            if (sub[g] == null) {
                continue;
            }
            Decision d = new Decision();
            if (!engines[g].tryAcquireAll(sub[g], nowNanos, d)) {
                for (int h = 0; h < g; h++) {
                    if (sub[h] != null) {
                        engines[h].releaseAll(sub[h], nowNanos);
                    }
                }
                decision = d;
                deciding = original[g][Math.max(0, Math.min(d.checkIndex(), sub[g].size() - 1))];
                return false;
            }
            if (decision == null || d.remaining() < decision.remaining()) {
                decision = d;
                deciding = original[g][Math.max(0, Math.min(d.checkIndex(), sub[g].size() - 1))];
            }
        }
        for (int g = 0; g < engines.length; g++) {
            if (sub[g] != null) {
                held = (held == null ? new HeldPermits() : held).add(engines[g], sub[g]);
            }
        }
        return true;
    }

    /** @return the deciding engine's decision: the denying one, else the one with the fewest remaining */
    Decision decision() {
        return decision;
    }

    /** @return the index of the deciding check in the request's checks */
    int deciding() {
        return deciding;
    }

    /** @return the checks admitted, per engine, to release when the verdict completes */
    HeldPermits held() {
        return held;
    }
}
