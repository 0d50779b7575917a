package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.RateLimiter;
import dev.limiter.CardinalityLimiter;
import dev.limiter.Decision;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;

/**
 * The shadow-mode rules that apply to one request, decided after the enforcing ones and apart
 * from them: each shadow rule is decided on its own, as if it were the only rule of an enforcing
 * policy that saw the requests the enforcing rules admitted. Its permits are taken when it admits,
 * nothing is taken when it would deny, and it never touches an enforcing rule's permits. A request
 * denied by an enforcing rule reaches no shadow rule, just as it reaches no upstream.
 *
 * <p>One per evaluator; reused from request to request, allocation-free unless a shadow
 * concurrency rule admits (its lease is held, like an enforcing one, until the verdict completes).
 */
final class ShadowChecks {
    private final int[] pending;
    private int size;
    private final int[] denied;
    private int deniedCount;
    private final Decision decision = new Decision();
    private final Checks one = new Checks(1);

    ShadowChecks(int rules) {
        this.pending = new int[rules];
        this.denied = new int[rules];
    }

    void clear() {
        size = 0;
        deniedCount = 0;
    }

    /** Adds the {@code matchIndex}-th applying rule of the current match, a shadow rule. */
    void add(int matchIndex) {
        pending[size++] = matchIndex;
    }

    int size() {
        return size;
    }

    /**
     * Decides every added shadow rule at {@code nowNanos}, counting each in its {@link RuleCounters}.
     *
     * @return {@code held} with the leases of admitting shadow concurrency rules added (a new one
     *     when {@code held} is null and there are some)
     */
    HeldPermits decide(GateState s, MatchResult m, long nowNanos, HeldPermits held) {
        for (int k = 0; k < size; k++) {
            int i = pending[k];
            int rule = m.ruleIndex(i);
            Limiter l = s.limiter(rule);
            boolean ok;
            if (s.concurrency(rule)) {
                one.clear();
                one.add(l, m.key(i), m.cost(i));
                LimiterEngine engine = s.engine(rule);
                ok = engine.tryAcquireAll(one, nowNanos, decision);
                if (ok) {
                    held = (held == null ? new HeldPermits() : held).add(engine, HeldPermits.copy(one, 1));
                }
                one.clear();
            } else if (m.member(i).length() > 0) {
                ok = ((CardinalityLimiter) l).tryAdmit(m.key(i), m.member(i), nowNanos, decision);
            } else {
                ok = ((RateLimiter) l).tryAcquire(m.key(i), m.cost(i), nowNanos, decision);
            }
            RuleCounters c = s.counters(rule);
            if (ok) {
                c.countAdmitted();
                if (decision.outcome() == Outcome.ALLOWED && RuleCounters.isNear(decision.remaining(),
                        decision.limitPermits())) {
                    c.countNearLimit();
                }
            } else {
                c.countShadowDenied();
                denied[deniedCount++] = rule;
            }
        }
        return held;
    }

    /** @return how many shadow rules would have denied the request */
    int deniedCount() {
        return deniedCount;
    }

    /** @return the policy index of the {@code k}-th shadow rule that would have denied */
    int deniedRule(int k) {
        return denied[k];
    }
}
