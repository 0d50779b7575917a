package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.RateLimiter;
import dev.limiter.CardinalityLimiter;
import dev.limiter.Decision;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;

import java.time.Duration;
import java.util.Set;

/**
 * Evaluates requests against one {@link PolicyGate}: match the rules, then take every applying
 * enforcing rule's permits in one atomic engine decision, then decide the shadow rules, then
 * describe the outcome as a {@link Verdict}.
 *
 * <p>Not thread-safe: one per thread or event loop ({@link PolicyGate#evaluate} keeps one per
 * thread). It reuses its match result, check list and decision, and its verdict once the caller
 * has {@link Verdict#complete() completed} it, so a request that holds no concurrency permit and
 * whose verdict is completed allocates nothing. Each request reads the gate's state once and
 * decides wholly on it; after a {@link PolicyGate#swap swap} the next request rebuilds the
 * evaluator's buffers for the new state (once). Engine calls live here, in {@link PolicyGate}
 * (overrides, closing), {@link ShadowChecks}, {@link SpanningDecision} and {@link HeldPermits}
 * (returning leases), nowhere else.
 *
 * <p>Atomicity: when several enforcing rules apply they go to {@link LimiterEngine#tryAcquireAll}
 * together, so a denial by one leaves nothing consumed in the others. A lone rule that is not a
 * concurrency rule goes straight to its limiter, which is the same decision without the
 * composite's bookkeeping (and never enters the check list). Shadow rules never take part (see
 * {@link ShadowChecks}).
 */
public final class PolicyEvaluator {
    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    private final GateCell gate;
    private GateState state;
    private MatchResult match;
    private Checks checks;
    private int[] checkToApplied;
    private int[] checkRule;
    private ShadowChecks shadow;
    private final Decision decision = new Decision();
    private Verdict verdict;

    PolicyEvaluator(GateCell gate) {
        this.gate = gate;
        bind(gate.state());
    }

    private void bind(GateState s) {
        this.state = s;
        this.match = s.matcher().newResult();
        int rules = s.ruleCount();
        this.checks = new Checks(rules);
        this.checkToApplied = new int[rules];
        this.checkRule = new int[rules];
        this.shadow = new ShadowChecks(rules);
        this.verdict = new Verdict(s.policy(), null);
    }

    /** Evaluates {@code request} at the engine clock's current time. */
    public Verdict evaluate(RequestView request) {
        return evaluate(request, gate.clock().nanoTime());
    }

    /**
     * Evaluates {@code request} at {@code nowNanos}.
     *
     * @return the verdict, owned by the caller until {@link Verdict#complete()}
     * @throws IllegalStateException when the gate (or its engine) is closed, for every request
     */
    public Verdict evaluate(RequestView request, long nowNanos) {
        return evaluate(request, nowNanos, null);
    }

    /**
     * Evaluates {@code request} at {@code nowNanos}, letting it wait where a rule allows: when the
     * request is denied by a rule whose {@link Rule#maxWait()} covers the denial's retry-after (the
     * rule with the longest retry-after among the denying ones, which names the verdict), the
     * request's enforcing rules wait together, all or nothing at completion, without blocking
     * this thread. Shadow rules are not decided for a waited request. A request whose rules span
     * the engines of several policies (after a {@link PolicyGate#swap swap}) is not waited.
     *
     * @param listener told of the wait and, later, of its verdict; null never waits
     * @return the verdict, as {@link #evaluate(RequestView, long)}; or null when the request
     *     waits: {@code listener} has then been told so, and will be told the verdict
     */
    public Verdict evaluate(RequestView request, long nowNanos, VerdictListener listener) {
        GateState s = gate.state();
        if (s != state) {
            bind(s);
        }
        if (gate.isClosed(s)) {
            throw new IllegalStateException("the policy gate for '" + s.policy().name() + "' is closed");
        }
        s.matcher().match(request, match);
        try {
            if (match.refused()) {
                return free().setRefused(match.refusalStatus(), match.refusalMessage(), match.refusingRule())
                        .handOut();
            }
            Verdict v = decide(s, nowNanos, listener);
            return v == null ? null : v.handOut();
        } finally {
            if (checks.size() > 0) {
                checks.clear();
            }
            shadow.clear();
            match.clear();
        }
    }

    private Verdict decide(GateState s, long nowNanos, VerdictListener listener) {
        int n = 0;
        boolean concurrency = false;
        boolean oneEngine = true;
        for (int i = 0; i < match.size(); i++) {
            int rule = match.ruleIndex(i);
            if (isLifted(s, rule, match.key(i))) {
                continue;
            }
            if (s.shadow(rule)) {
                shadow.add(i);
                continue;
            }
            oneEngine &= n == 0 || s.generation(rule) == s.generation(checkRule[0]);
            checkRule[n] = rule;
            checkToApplied[n++] = i;
            concurrency |= s.concurrency(rule);
        }
        boolean ok = true;
        Decision d = decision;
        int deciding = 0;
        HeldPermits held = null;
        if (n == 1 && !concurrency) { // straight to the limiter: the check list is for composites
            Limiter l = s.limiter(checkRule[0]);
            int i = checkToApplied[0];
            ok = match.member(i).length() > 0
                    ? ((CardinalityLimiter) l).tryAdmit(match.key(i), match.member(i), nowNanos, decision)
                    : ((RateLimiter) l).tryAcquire(match.key(i), match.cost(i), nowNanos, decision);
        } else if (n > 0 && oneEngine) {
            addChecks(s, n);
            LimiterEngine engine = s.engine(checkRule[0]);
            ok = engine.tryAcquireAll(checks, nowNanos, decision);
            if (ok && concurrency) { // the caller returns its permits later
                held = new HeldPermits().add(engine, HeldPermits.copy(checks, n));
            }
            deciding = decision.checkIndex() >= 0 && decision.checkIndex() < n ? decision.checkIndex() : 0;
        } else if (n > 0) {
            addChecks(s, n);
            SpanningDecision spanning = new SpanningDecision();
            ok = spanning.decide(s, checks, checkRule, n, nowNanos);
            d = spanning.decision();
            deciding = spanning.deciding();
            held = ok && concurrency ? spanning.held() : null;
        }
        if (!ok && listener != null && n > 0 && oneEngine && d.outcome() == Outcome.LIMITED) {
            long wait = nanos(match.rule(checkToApplied[deciding]).maxWait());
            if (wait > 0 && d.retryAfterNanos() <= wait) {
                if (checks.size() == 0) {
                    addChecks(s, n);                      // the lone rule's fast path skipped the check list
                }
                Rule[] applied = new Rule[n];
                for (int c = 0; c < n; c++) {
                    applied[c] = match.rule(checkToApplied[c]);
                }
                VerdictWait.start(s, s.engine(checkRule[0]), checks, n, checkRule, applied, concurrency, wait, listener);
                return null;
            }
        }
        if (ok && shadow.size() > 0) {
            held = shadow.decide(s, match, nowNanos, held);
        }
        Verdict v = held == null ? free() : new Verdict(s.policy(), held);
        if (held != null) {
            v.clearApplied();
        }
        if (n == 0) {
            v.setUnlimited();
        } else {
            v.set(d, match.rule(checkToApplied[deciding]));
            for (int c = 0; c < n; c++) {
                v.addApplied(match.rule(checkToApplied[c]));
            }
        }
        for (int k = 0; k < shadow.deniedCount(); k++) {
            v.addShadowDenied(s.policy().rules().get(shadow.deniedRule(k)));
        }
        count(s, n, ok, d, deciding);
        return v;
    }

    /** Puts the {@code n} enforcing rules' checks in the check list, in order, for a composite decision. */
    private void addChecks(GateState s, int n) {
        for (int c = 0; c < n; c++) {
            int i = checkToApplied[c];
            Limiter limiter = s.limiter(checkRule[c]);
            if (match.member(i).length() > 0) {
                checks.addMember((CardinalityLimiter) limiter, match.key(i), match.member(i));
            } else {
                checks.add(limiter, match.key(i), match.cost(i));
            }
        }
    }

    private static long nanos(Duration d) {
        return d.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** Counts the enforcing rules' part of the decision in their {@link RuleCounters}. */
    private void count(GateState s, int n, boolean ok, Decision d, int deciding) {
        if (n == 0) {
            return;
        }
        if (!ok) {
            s.counters(checkRule[deciding]).countDenied();
            return;
        }
        for (int c = 0; c < n; c++) {
            s.counters(checkRule[c]).countAdmitted();
        }
        if (d.outcome() == Outcome.ALLOWED && RuleCounters.isNear(d.remaining(), d.limitPermits())) {
            s.counters(checkRule[deciding]).countNearLimit();
        }
    }

    /** @return this evaluator's verdict when its caller has completed it, else a fresh one (never overwriting a held one) */
    private Verdict free() {
        if (!verdict.reusable()) {
            verdict = new Verdict(state.policy(), null);
        }
        verdict.clearApplied();
        return verdict;
    }

    private static boolean isLifted(GateState s, int rule, CharSequence key) {
        Set<String> lifted = s.lifted(rule);
        return lifted != null && !lifted.isEmpty() && lifted.contains(key.toString());
    }

    @Override
    public String toString() {
        return "PolicyEvaluator[" + state.policy().name() + "]";
    }
}
