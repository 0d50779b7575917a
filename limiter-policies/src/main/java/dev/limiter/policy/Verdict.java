package dev.limiter.policy;

import dev.limiter.Checks;
import dev.limiter.Decision;
import dev.limiter.LimiterEngine;
import dev.limiter.Outcome;

import java.util.Map;

/**
 * The answer to one request under a policy: go, or a ready 429 response (status, headers, JSON
 * body) naming the rule that denied it.
 *
 * <p><b>Lifetime.</b> A verdict that {@link #holdsPermits() holds permits} (the request was
 * admitted by a concurrency rule) is a fresh object owned by the caller, who must call
 * {@link #complete()} when the request finishes, on any thread. Every other verdict is reused by
 * its {@link PolicyEvaluator} and valid until that evaluator's next request; its
 * {@code complete()} does nothing, so a gateway can call {@code complete()} on every verdict.
 * Not thread-safe, except that {@code complete()} is idempotent and safe from any one thread.
 */
public final class Verdict {
    /** The HTTP status of a denial. */
    public static final int TOO_MANY_REQUESTS = 429;

    private final Policy policy;
    private final Rule[] applied;
    private int ruleCount;
    private Outcome outcome = Outcome.ALLOWED;
    private Rule rule;
    private long limitPermits;
    private long remaining;
    private long retryAfterNanos;
    private long resetAfterNanos;
    private final LimiterEngine engine;
    private final Checks held;
    private volatile boolean completed;

    Verdict(Policy policy, LimiterEngine engine, Checks held) {
        this.policy = policy;
        this.applied = new Rule[policy.rules().size()];
        this.engine = engine;
        this.held = held;
    }

    /** Overwrites the result; the applied rules are set with {@link #addApplied}. */
    Verdict set(Decision d, Rule decidingRule) {
        this.outcome = d.outcome();
        this.rule = decidingRule;
        this.limitPermits = d.limitPermits();
        this.remaining = d.remaining();
        this.retryAfterNanos = d.retryAfterNanos();
        this.resetAfterNanos = d.resetAfterNanos();
        return this;
    }

    /** Records an admission to which no rule applied. */
    Verdict setUnlimited() {
        this.outcome = Outcome.ALLOWED;
        this.rule = null;
        this.limitPermits = 0;
        this.remaining = Long.MAX_VALUE;
        this.retryAfterNanos = 0;
        this.resetAfterNanos = 0;
        return this;
    }

    void clearApplied() {
        for (int i = 0; i < ruleCount; i++) {
            applied[i] = null;
        }
        ruleCount = 0;
    }

    void addApplied(Rule r) {
        applied[ruleCount++] = r;
    }

    /** @return the policy that decided */
    public Policy policy() {
        return policy;
    }

    /** @return whether the request may proceed */
    public boolean allowed() {
        return outcome.allowed();
    }

    /** @return the engine's reason */
    public Outcome outcome() {
        return outcome;
    }

    /** @return 200 when allowed, {@link #TOO_MANY_REQUESTS} when denied */
    public int status() {
        return allowed() ? 200 : TOO_MANY_REQUESTS;
    }

    /**
     * @return the rule that decided: the denying one when denied, else the one with the fewest
     *     permits remaining; null when no rule applied
     */
    public Rule rule() {
        return rule;
    }

    /** @return the deciding rule's denial message; null when allowed */
    public String message() {
        return allowed() || rule == null ? null : rule.message();
    }

    /** @return N of the deciding rule's limit (the {@code X-RateLimit-Limit} value) */
    public long limitPermits() {
        return limitPermits;
    }

    /** @return permits the deciding rule could still grant now */
    public long remaining() {
        return remaining;
    }

    /** @return nanoseconds until the request could be admitted; {@link Decision#NEVER} when it never can */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }

    /** @return nanoseconds until the deciding limit is fully replenished */
    public long resetAfterNanos() {
        return resetAfterNanos;
    }

    /** @return how many rules applied to the request */
    public int ruleCount() {
        return ruleCount;
    }

    /** @return the {@code i}-th rule that applied, in policy order */
    public Rule appliedRule(int i) {
        if (i < 0 || i >= ruleCount) {
            throw new IndexOutOfBoundsException("rule " + i + " of " + ruleCount);
        }
        return applied[i];
    }

    /**
     * @return the response headers: when denied, {@code X-RateLimit-Limit}, {@code X-RateLimit-Reset},
     *     {@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit} and {@code Content-Type};
     *     when allowed, the informational {@code RateLimit-Policy} and {@code RateLimit}. Built on
     *     each call.
     */
    public Map<String, String> headers() {
        return RateLimitHeaders.render(this);
    }

    /** @return the 429 JSON body {@code {"message": ..., "type": ...}}; null when allowed */
    public String body() {
        return allowed() ? null : RateLimitHeaders.body(message(), policy.errorType());
    }

    /** @return whether this verdict holds concurrency permits that {@link #complete()} returns */
    public boolean holdsPermits() {
        return held != null;
    }

    /**
     * Returns held concurrency permits; idempotent; does nothing for a verdict that holds none, or
     * once the engine is closed (its memory, permits included, is gone).
     */
    public void complete() {
        if (held == null || completed) {
            return;
        }
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
        }
        if (!engine.isClosed()) {
            try {
                engine.releaseAll(held, engine.clock().nanoTime());
            } catch (IllegalStateException closedMeanwhile) {
                if (!engine.isClosed()) {
                    throw closedMeanwhile;
                }
            }
        }
    }

    @Override
    public String toString() {
        if (allowed()) {
            return "Verdict[allowed" + (rule == null ? ", no rule applied" : " by " + rule.name() + ", remaining "
                    + remaining) + (holdsPermits() ? ", holds permits" : "") + "]";
        }
        return "Verdict[" + outcome + " by " + rule.name() + ": 429 " + body() + " " + headers() + "]";
    }
}
