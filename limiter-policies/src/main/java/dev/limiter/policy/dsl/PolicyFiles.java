package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A policy file kept loaded: {@link #get()} is always the last valid policy; {@link #reload()}
 * re-reads the file when its text changed, validates it first, and only then makes it current,
 * so a broken file never replaces a working policy — the {@link Listener} is told why. Thread-safe.
 */
public final class PolicyFiles implements Supplier<Policy> {
    /** What a reload did. */
    public enum Outcome {
        /** The file's text is what was last read. */
        UNCHANGED,
        /** The changed file was valid and is now current. */
        ACCEPTED,
        /** The changed file was unreadable or invalid; the previous policy stays current. */
        REJECTED
    }

    /** Hears about changes: the hook a gate uses to swap its policy. */
    public interface Listener {
        /** A changed, valid file became current. */
        default void accepted(PolicyDocument previous, PolicyDocument next) {
        }

        /** A changed file was refused and {@code kept} stays current; {@code errors} say why. */
        default void rejected(Path file, List<PolicyError> errors, PolicyDocument kept) {
        }
    }

    private final Path file;
    private final Listener listener;
    private volatile PolicyDocument current;
    private volatile List<PolicyError> lastErrors = List.of();
    private String lastText;

    private PolicyFiles(Path file, Listener listener, PolicyDocument first, String text) {
        this.file = file;
        this.listener = listener;
        this.current = first;
        this.lastText = text;
    }

    /**
     * Loads {@code file}, which must be valid.
     *
     * @throws InvalidPolicyException when it is not
     * @throws IOException when it cannot be read
     */
    public static PolicyFiles load(Path file, Listener listener) throws IOException, InvalidPolicyException {
        Objects.requireNonNull(listener, "listener");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return new PolicyFiles(file, listener, PolicyParser.parse(file.toString(), text), text);
    }

    /** @return the current policy: the last valid one read */
    @Override
    public Policy get() {
        return current.policy();
    }

    /** @return the current document (policy, overrides and comments) */
    public PolicyDocument document() {
        return current;
    }

    /** @return the errors of the last rejected reload; empty after an accepted one */
    public List<PolicyError> lastErrors() {
        return lastErrors;
    }

    /** Re-reads the file; see {@link Outcome}. */
    public synchronized Outcome reload() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return reject(null, List.of(new PolicyError(file.toString(), 1, 1, "cannot read the file: " + e, "")));
        }
        if (text.equals(lastText)) {
            return Outcome.UNCHANGED;
        }
        try {
            PolicyDocument next = PolicyParser.parse(file.toString(), text);
            PolicyDocument previous = current;
            current = next;
            lastText = text;
            lastErrors = List.of();
            listener.accepted(previous, next);
            return Outcome.ACCEPTED;
        } catch (InvalidPolicyException e) {
            return reject(text, e.errors());
        }
    }

    private Outcome reject(String text, List<PolicyError> errors) {
        if (text != null) {
            lastText = text;
        }
        lastErrors = List.copyOf(errors);
        listener.rejected(file, lastErrors, current);
        return Outcome.REJECTED;
    }

    /** Reloads every {@code period} on {@code executor}; cancel the returned future to stop. */
    public ScheduledFuture<?> watch(ScheduledExecutorService executor, Duration period) {
        long nanos = period.toNanos();
        return executor.scheduleWithFixedDelay(this::reload, nanos, nanos, TimeUnit.NANOSECONDS);
    }
}
