package dev.limiter.policy;

import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals of one rule of a {@link PolicyGate}, by rule name: requests it admitted,
 * denied, would have denied in shadow mode, and admitted near its limit. Striped counters: counting
 * takes no lock and allocates nothing once warm, reading sums the stripes (a moment's view).
 *
 * <p>What is counted, per evaluated request that reached the engine (refused requests are not):
 * <ul>
 *   <li>{@link #admitted()}: the rule applied and its permits were taken (an enforcing rule of an
 *       admitted request, or a shadow rule whose own check admitted);</li>
 *   <li>{@link #denied()}: the rule denied the request (the one named by the 429);</li>
 *   <li>{@link #shadowDenied()}: the rule runs in shadow mode and would have denied;</li>
 *   <li>{@link #nearLimit()}: the rule admitted and was left with at most
 *       {@code floor(N / }{@value #NEAR_LIMIT_DIVISOR}{@code )} permits remaining (N: the rule's
 *       limit). For enforcing rules decided together, only the deciding rule (fewest remaining)
 *       is known, so only it is counted.</li>
 * </ul>
 * Totals are monotonic and survive {@link PolicyGate#swap policy swaps} for a rule of the same name.
 */
public final class RuleCounters {
    /** Near the limit means at most N / 10 permits remaining. */
    public static final int NEAR_LIMIT_DIVISOR = 10;

    private final String rule;
    private final LongAdder admitted = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder shadowDenied = new LongAdder();
    private final LongAdder nearLimit = new LongAdder();

    RuleCounters(String rule) {
        this.rule = rule;
    }

    /** @return the name of the rule counted */
    public String rule() {
        return rule;
    }

    /** @return requests the rule admitted (its permits were taken) */
    public long admitted() {
        return admitted.sum();
    }

    /** @return requests the rule denied */
    public long denied() {
        return denied.sum();
    }

    /** @return requests the rule would have denied, had it not run in shadow mode */
    public long shadowDenied() {
        return shadowDenied.sum();
    }

    /** @return admissions that left the rule at most N / {@value #NEAR_LIMIT_DIVISOR} permits */
    public long nearLimit() {
        return nearLimit.sum();
    }

    /** @return whether {@code remaining} of a limit of {@code permits} is near the limit */
    static boolean isNear(long remaining, long permits) {
        return remaining <= permits / NEAR_LIMIT_DIVISOR;
    }

    void countAdmitted() {
        admitted.increment();
    }

    void countDenied() {
        denied.increment();
    }

    void countShadowDenied() {
        shadowDenied.increment();
    }

    void countNearLimit() {
        nearLimit.increment();
    }

    @Override
    public String toString() {
        return "RuleCounters[" + rule + ": admitted " + admitted() + ", denied " + denied() + ", shadow-denied "
                + shadowDenied() + ", near limit " + nearLimit() + "]";
    }
}
