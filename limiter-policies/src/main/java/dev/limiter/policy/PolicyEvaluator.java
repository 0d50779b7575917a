package dev.limiter.policy;

import dev.limiter.Algorithm;
import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.Limiter;
import dev.limiter.LimiterEngine;

import java.util.Set;

/**
 * Evaluates requests against one {@link PolicyGate}: match the rules, then take every applying
 * rule's permits in one atomic engine decision, then describe the outcome as a {@link Verdict}.
 *
 * <p>Not thread-safe: one per thread or event loop ({@link PolicyGate#evaluate} keeps one per
 * thread). It reuses its match result, check list and decision, and its verdict once the caller
 * has {@link Verdict#complete() completed} it, so a request that holds no concurrency permit and
 * whose verdict is completed allocates nothing. Engine calls live here, in {@link PolicyGate}
 * (limiters, overrides, closing) and in {@link Verdict#complete()} (returning leases), nowhere else.
 *
 * <p>Atomicity: when several rules apply they go to {@link LimiterEngine#tryAcquireAll} together,
 * so a denial by one leaves nothing consumed in the others. A lone rule that is not a
 * concurrency rule goes straight to its limiter, which is the same decision without the
 * composite's bookkeeping.
 */
public final class PolicyEvaluator {
    private final PolicyGate gate;
    private final LimiterEngine engine;
    private final Limiter[] limiters;
    private final boolean[] liftable;
    private final RouteMatcher matcher;
    private final MatchResult match;
    private final Checks checks;
    private final int[] checkToApplied;
    private final Decision decision = new Decision();
    private Verdict verdict;

    PolicyEvaluator(PolicyGate gate) {
        this.gate = gate;
        this.engine = gate.engine();
        this.limiters = gate.limiters();
        this.matcher = gate.matcher();
        this.match = matcher.newResult();
        int rules = gate.policy().rules().size();
        this.liftable = new boolean[rules];
        for (int i = 0; i < rules; i++) {
            liftable[i] = gate.lifted(i) != null;
        }
        this.checks = new Checks(rules);
        this.checkToApplied = new int[rules];
        this.verdict = new Verdict(gate.policy(), engine, null);
    }

    /** Evaluates {@code request} at the engine clock's current time. */
    public Verdict evaluate(RequestView request) {
        return evaluate(request, engine.clock().nanoTime());
    }

    /**
     * Evaluates {@code request} at {@code nowNanos}.
     *
     * @return the verdict, owned by the caller until {@link Verdict#complete()}
     * @throws IllegalStateException when the gate (or its engine) is closed, for every request
     */
    public Verdict evaluate(RequestView request, long nowNanos) {
        if (gate.isClosed()) {
            throw new IllegalStateException("the policy gate for '" + gate.policy().name() + "' is closed");
        }
        matcher.match(request, match);
        try {
            if (match.refused()) {
                return free().setRefused(match.refusalStatus(), match.refusalMessage(), match.refusingRule())
                        .handOut();
            }
            return decide(nowNanos).handOut();
        } finally {
            checks.clear();
            match.clear();
        }
    }

    private Verdict decide(long nowNanos) {
        int n = 0;
        boolean concurrency = false;
        for (int i = 0; i < match.size(); i++) {
            int rule = match.ruleIndex(i);
            if (isLifted(rule, match.key(i))) {
                continue;
            }
            if (match.member(i).length() > 0) {
                checks.addMember(limiters[rule], match.key(i), match.member(i));
            } else {
                checks.add(limiters[rule], match.key(i), match.cost(i));
            }
            checkToApplied[n++] = i;
            concurrency |= limiters[rule].limit().algorithm() == Algorithm.CONCURRENCY;
        }
        Verdict v = free();
        if (n == 0) {
            return v.setUnlimited();
        }
        boolean ok;
        if (n == 1 && !concurrency) {
            Limiter l = checks.limiter(0);
            ok = checks.hasMember(0)
                    ? l.tryAdmit(checks.stringKey(0), checks.memberStringKey(0), nowNanos, decision)
                    : l.tryAcquire(checks.stringKey(0), checks.permits(0), nowNanos, decision);
        } else {
            ok = engine.tryAcquireAll(checks, nowNanos, decision);
        }
        if (ok && concurrency) {
            v = new Verdict(gate.policy(), engine, copyHeld(n)); // the caller returns its permits later
        }
        int deciding = decision.checkIndex() >= 0 && decision.checkIndex() < n ? decision.checkIndex() : 0;
        v.set(decision, match.rule(checkToApplied[deciding]));
        for (int c = 0; c < n; c++) {
            v.addApplied(match.rule(checkToApplied[c]));
        }
        return v;
    }

    /** @return this evaluator's verdict when its caller has completed it, else a fresh one (never overwriting a held one) */
    private Verdict free() {
        if (!verdict.reusable()) {
            verdict = new Verdict(gate.policy(), engine, null);
        }
        verdict.clearApplied();
        return verdict;
    }

    private boolean isLifted(int rule, CharSequence key) {
        if (!liftable[rule]) {
            return false;
        }
        Set<String> lifted = gate.lifted(rule);
        return !lifted.isEmpty() && lifted.contains(key.toString());
    }

    /**
     * Copies the checks (keys as Strings, since the key buffers are reused) with what the engine
     * recorded in them (lease tokens and resolved slots), so that the copy can be released later.
     */
    private Checks copyHeld(int n) {
        Checks copy = new Checks(n);
        for (int c = 0; c < n; c++) {
            if (checks.hasMember(c)) {
                copy.addMember(checks.limiter(c), checks.stringKey(c).toString(),
                        checks.memberStringKey(c).toString());
            } else {
                copy.add(checks.limiter(c), checks.stringKey(c).toString(), checks.permits(c));
            }
            copy.token(c, checks.token(c));
            copy.engineSlot(c, checks.engineSlot(c));
        }
        return copy;
    }

    @Override
    public String toString() {
        return "PolicyEvaluator[" + gate.policy().name() + "]";
    }
}
