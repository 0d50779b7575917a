package dev.limiter.policy;

import dev.limiter.Decision;
import dev.limiter.Outcome;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * The answer to one request under a policy: go, a ready 429 response (status, headers, JSON body)
 * naming the rule that denied it, or a refusal (400, or the status a rule chose, when the path
 * cannot be canonicalised or a key part the rule needs is missing).
 *
 * <p><b>Ownership.</b> A verdict belongs to the caller until the caller calls {@link #complete()},
 * once, when the request is finished (served or answered), on any thread; that also returns the
 * concurrency permits it {@link #holdsPermits() holds}. Its evaluator never changes a verdict that
 * is not completed: it reuses a verdict only after {@code complete()}, and otherwise hands out a
 * fresh one, so an async gateway may keep many verdicts of one evaluator at once. Reading a
 * completed verdict throws {@link IllegalStateException} (it may already describe another
 * request). A gateway that completes every verdict decides without allocating. Not thread-safe:
 * hand a verdict from thread to thread, not to two at once.
 *
 * <p><b>Shadow mode.</b> Rules in shadow mode never deny; when one would have,
 * {@link #shadowDenied()} says so and {@link #shadowHeaderValue()} names the rules, for a gateway
 * that wants to tell the client (an optional {@value #SHADOW_HEADER} header: it is not among
 * {@link #headers()}, since announcing a limit not yet enforced is the operator's choice).
 */
public final class Verdict {
    /** The HTTP status of a denial. */
    public static final int TOO_MANY_REQUESTS = 429;
    /** The optional response header naming the shadow rules that would have denied the request. */
    public static final String SHADOW_HEADER = "X-RateLimit-Shadow";

    private final Policy policy;
    private final Rule[] applied;
    private int ruleCount;
    private Outcome outcome = Outcome.ALLOWED;
    private Rule rule;
    private long limitPermits;
    private long remaining;
    private long retryAfterNanos;
    private long resetAfterNanos;
    private int refusalStatus;
    private String refusalMessage;
    private final Rule[] shadowDenied;
    private int shadowCount;
    private final HeldPermits held;
    /*
     * Starts true: a verdict is free for its evaluator until it has been handed out.
     *
     * Memory ordering: written with release stores, read with volatile (acquire) reads.
     * complete()'s store publishes the caller's last reads of the verdict to the evaluator, whose
     * read of true orders its reuse of the verdict after them; the hand-out's store needs no more,
     * since the caller receives the verdict on the evaluator's own thread and passes it on by its
     * own means. Neither side needs a full fence, so an allowed decision pays for none. A verdict
     * holding permits is completed by a compare-and-set, so that two racing complete() calls return
     * its permits once; for one holding nothing, a second store of true changes nothing.
     */
    private volatile boolean completed = true;
    private static final VarHandle COMPLETED;

    static {
        try {
            COMPLETED = MethodHandles.lookup().findVarHandle(Verdict.class, "completed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Verdict(Policy policy, HeldPermits held) {
        this.policy = policy;
        this.applied = new Rule[policy.rules().size()];
        this.shadowDenied = new Rule[policy.rules().size()];
        this.held = held;
    }

    /** @return whether the evaluator may reuse this verdict: handed out and completed, or never handed out */
    boolean reusable() {
        return completed && held == null;
    }

    /** Marks the verdict handed out: its caller owns it until {@link #complete()}. */
    Verdict handOut() {
        COMPLETED.setRelease(this, false);
        return this;
    }

    /** Overwrites the result; the applied rules are set with {@link #addApplied}. */
    Verdict set(Decision d, Rule decidingRule) {
        this.refusalStatus = 0;
        this.refusalMessage = null;
        this.outcome = d.outcome();
        this.rule = decidingRule;
        this.limitPermits = d.limitPermits();
        this.remaining = d.remaining();
        this.retryAfterNanos = d.retryAfterNanos();
        this.resetAfterNanos = d.resetAfterNanos();
        return this;
    }

    /** Records a refusal before counting: nothing was consumed. */
    Verdict setRefused(int status, String message, Rule refusingRule) {
        this.refusalStatus = status;
        this.refusalMessage = message;
        this.outcome = Outcome.UNSATISFIABLE;
        this.rule = refusingRule;
        this.limitPermits = 0;
        this.remaining = 0;
        this.retryAfterNanos = Decision.NEVER;
        this.resetAfterNanos = 0;
        return this;
    }

    /** Records an admission to which no rule applied. */
    Verdict setUnlimited() {
        this.refusalStatus = 0;
        this.refusalMessage = null;
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
        for (int i = 0; i < shadowCount; i++) {
            shadowDenied[i] = null;
        }
        shadowCount = 0;
    }

    void addApplied(Rule r) {
        applied[ruleCount++] = r;
    }

    void addShadowDenied(Rule r) {
        shadowDenied[shadowCount++] = r;
    }

    /**
     * @return whether a rule in shadow mode would have denied this request (it was not denied for
     *     that; {@link #allowed()} says what the enforcing rules decided)
     */
    public boolean shadowDenied() {
        owned();
        return shadowCount > 0;
    }

    /** @return how many shadow rules would have denied this request */
    public int shadowDeniedCount() {
        owned();
        return shadowCount;
    }

    /** @return the {@code i}-th shadow rule that would have denied this request, in policy order */
    public Rule shadowDeniedRule(int i) {
        owned();
        if (i < 0 || i >= shadowCount) {
            throw new IndexOutOfBoundsException("shadow rule " + i + " of " + shadowCount);
        }
        return shadowDenied[i];
    }

    /**
     * @return the value of the optional {@value #SHADOW_HEADER} header: the names of the shadow
     *     rules that would have denied, comma-separated; null when none would have. Built on each call.
     */
    public String shadowHeaderValue() {
        owned();
        if (shadowCount == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder(shadowDenied[0].name());
        for (int i = 1; i < shadowCount; i++) {
            sb.append(", ").append(shadowDenied[i].name());
        }
        return sb.toString();
    }

    /** @return the policy that decided */
    public Policy policy() {
        return policy;
    }

    /** @return whether the request may proceed */
    public boolean allowed() {
        owned();
        return outcome.allowed();
    }

    /** @return the engine's reason */
    public Outcome outcome() {
        owned();
        return outcome;
    }

    /**
     * @return 200 when allowed, {@link #TOO_MANY_REQUESTS} when denied by a limit, or the status of
     *     a {@link #refused() refusal} (400 unless the rule's key part chose another)
     */
    public int status() {
        return allowed() ? 200 : refusalStatus != 0 ? refusalStatus : TOO_MANY_REQUESTS;
    }

    /**
     * @return whether the request was refused before anything was counted: its path cannot be
     *     canonicalised, or a rule's key part is missing (then {@link #rule()} names the rule). Its
     *     {@link #outcome()} is {@link Outcome#UNSATISFIABLE}: retrying the same request never helps.
     */
    public boolean refused() {
        owned();
        return refusalStatus != 0;
    }

    /**
     * @return the rule that decided: the denying one when denied, else the one with the fewest
     *     permits remaining; null when no rule applied
     */
    public Rule rule() {
        owned();
        return rule;
    }

    /** @return the deciding rule's denial message, or why the request was refused; null when allowed */
    public String message() {
        if (allowed()) {
            return null;
        }
        return refusalStatus != 0 ? refusalMessage : rule.message();
    }

    /** @return N of the deciding rule's limit (the {@code X-RateLimit-Limit} value) */
    public long limitPermits() {
        owned();
        return limitPermits;
    }

    /** @return permits the deciding rule could still grant now */
    public long remaining() {
        owned();
        return remaining;
    }

    /** @return nanoseconds until the request could be admitted; {@link Decision#NEVER} when it never can */
    public long retryAfterNanos() {
        owned();
        return retryAfterNanos;
    }

    /** @return nanoseconds until the deciding limit is fully replenished */
    public long resetAfterNanos() {
        owned();
        return resetAfterNanos;
    }

    /** @return how many rules applied to the request */
    public int ruleCount() {
        owned();
        return ruleCount;
    }

    /** @return the {@code i}-th rule that applied, in policy order */
    public Rule appliedRule(int i) {
        owned();
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
        return refused() ? Map.of("Content-Type", "application/json") : RateLimitHeaders.render(this);
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
     * Ends the caller's ownership: returns held concurrency permits (none once the engine is
     * closed: its memory, permits included, is gone) and lets the evaluator reuse this verdict.
     * Call it once per verdict; a second call does nothing while the verdict is not reused.
     */
    public void complete() {
        if (completed) {
            return;
        }
        if (held == null) {
            COMPLETED.setRelease(this, true);
            return;
        }
        if (COMPLETED.compareAndSet(this, false, true)) {
            held.release(); // into the engines that granted them, whatever the gate swapped to since
        }
    }

    private void owned() {
        if (completed) {
            throw new IllegalStateException("this verdict was completed; it may already describe another request"
                    + " (read what you need before complete())");
        }
    }

    @Override
    public String toString() {
        if (completed) {
            return "Verdict[completed]";
        }
        if (refused()) {
            return "Verdict[refused " + refusalStatus + (rule == null ? "" : " by " + rule.name()) + ": "
                    + refusalMessage + "]";
        }
        if (allowed()) {
            return "Verdict[allowed" + (rule == null ? ", no rule applied" : " by " + rule.name() + ", remaining "
                    + remaining) + (holdsPermits() ? ", holds permits" : "")
                    + (shadowCount > 0 ? ", shadow-denied by " + shadowHeaderValue() : "") + "]";
        }
        return "Verdict[" + outcome + " by " + rule.name() + ": 429 " + body() + " " + headers() + "]";
    }
}
