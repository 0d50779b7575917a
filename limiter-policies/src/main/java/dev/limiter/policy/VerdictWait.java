package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;
import dev.limiter.internal.EngineAccess;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/*
 * One request waiting for its permits under a gate. The evaluator found the request denied by a
 * rule that lets it wait (Rule.maxWait) with a retry-after within that wait; it hands the
 * request's enforcing checks, copied with String keys (its own buffers are reused by the next
 * request), to the rules' engine as one composite wait (LimiterEngine.acquireAllAsync): all or
 * nothing at the completion time. On completion this builds the verdict exactly as the evaluator
 * would have - the deciding rule, the applied rules, the permits held for concurrency rules, the
 * rule counters - and tells the listener. Shadow rules are not decided for a waited request.
 *
 * Thread-safety: built on the evaluating thread, completed once on the engine's thread; it is
 * never touched by two threads at once (the future's completion orders them).
 */
/** A waited request's checks and rules until its composite wait completes; see above. */
final class VerdictWait implements BiConsumer<Decision, Throwable> {
    private final GateState state;
    private final LimiterEngine engine;
    private final Checks checks;
    private final int[] rules;
    private final Rule[] applied;
    private final boolean concurrency;
    private final VerdictListener listener;

    private VerdictWait(GateState state, LimiterEngine engine, Checks checks, int[] rules, Rule[] applied,
                        boolean concurrency, VerdictListener listener) {
        this.state = state;
        this.engine = engine;
        this.checks = checks;
        this.rules = rules;
        this.applied = applied;
        this.concurrency = concurrency;
        this.listener = listener;
    }

    /** Starts the wait of the first {@code n} of {@code checks} (copied) for at most {@code maxWaitNanos}. */
    static void start(GateState s, LimiterEngine engine, Checks checks, int n, int[] checkRule, Rule[] applied,
                      boolean concurrency, long maxWaitNanos, VerdictListener listener) {
        VerdictWait w = new VerdictWait(s, engine, HeldPermits.copy(checks, n), java.util.Arrays.copyOf(checkRule, n),
                applied, concurrency, listener);
        CompletableFuture<Decision> f = engine.acquireAllAsync(w.checks, maxWaitNanos);
        listener.waiting(f);
        f.whenComplete(w);
    }

    @Override
    public void accept(Decision d, Throwable failure) {
        if (failure instanceof CancellationException) {
            return;                                       // withdrawn: nothing taken, nobody to tell
        }
        Decision decided = d;
        if (failure != null) {                            // the engine closed meanwhile: deny, as a closed gate would
            decided = EngineAccess.decisions().set(new Decision(), Outcome.LIMITED, applied[0].limit(), 0, 0, 0L, 0L);
        }
        boolean ok = decided.allowed();
        int deciding = decided.checkIndex() >= 0 && decided.checkIndex() < rules.length ? decided.checkIndex() : 0;
        Verdict v = new Verdict(state.policy(), ok && concurrency ? new HeldPermits().add(engine, checks) : null);
        v.set(decided, applied[deciding]);
        for (Rule r : applied) {
            v.addApplied(r);
        }
        if (ok) {
            for (int rule : rules) {
                state.counters(rule).countAdmitted();
            }
        } else {
            state.counters(rules[deciding]).countDenied();
        }
        listener.decided(v.handOut());
    }
}
