package dev.limiter.policy.dsl;

import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;

/**
 * A {@link PolicyGate} built from a policy file and kept in step with it: each valid change of the
 * file is swapped into the gate ({@link PolicyGate#swap}, which keeps the counters of unchanged
 * rules), and a broken change never replaces the working policy — {@link #lastErrors()} says why.
 *
 * <pre>{@code
 * PolicyFileGate files = PolicyFileGate.open(Path.of("gateway.policy"),
 *         policy -> PolicyGate.builder(policy).clock(Clock.system()).build());
 * files.watch(scheduler, Duration.ofSeconds(5));     // or call files.reload() on a file event
 * Verdict v = files.gate().evaluate(request);
 * }</pre>
 *
 * <p>The file's raises and lifts ({@code raise}/{@code lift} lines) are applied when the gate is
 * built and again after every accepted change. Thread-safe: reloads are serialised by
 * {@link PolicyFiles}; requests keep being evaluated while a swap happens.
 */
public final class PolicyFileGate implements AutoCloseable {
    private final PolicyFiles files;
    private final PolicyGate gate;

    private PolicyFileGate(PolicyFiles files, PolicyGate gate) {
        this.files = files;
        this.gate = gate;
    }

    /**
     * Loads {@code file}, which must be valid, and builds the gate on its policy.
     *
     * @param build makes the gate from the first policy (clock, capacities, engine)
     * @throws InvalidPolicyException when the file is not a valid policy; nothing is built
     * @throws IOException when the file cannot be read
     */
    public static PolicyFileGate open(Path file, Function<Policy, PolicyGate> build)
            throws IOException, InvalidPolicyException {
        Objects.requireNonNull(build, "build");
        Swapper swapper = new Swapper();
        PolicyFiles files = PolicyFiles.load(file, swapper);
        PolicyGate gate = Objects.requireNonNull(build.apply(files.get()), "build returned no gate");
        files.document().applyOverrides(gate);
        swapper.gate = gate;
        return new PolicyFileGate(files, gate);
    }

    /** @return the gate; the same object for the life of this instance, its policy follows the file */
    public PolicyGate gate() {
        return gate;
    }

    /** @return the policy in force: the last valid one read */
    public Policy policy() {
        return files.get();
    }

    /** Re-reads the file and swaps a valid change into the gate; see {@link PolicyFiles.Outcome}. */
    public PolicyFiles.Outcome reload() {
        return files.reload();
    }

    /** @return why the last changed file was refused; empty after an accepted one */
    public List<PolicyError> lastErrors() {
        return files.lastErrors();
    }

    /** Reloads every {@code period} on {@code executor}; cancel the returned future to stop. */
    public ScheduledFuture<?> watch(ScheduledExecutorService executor, Duration period) {
        return files.watch(executor, period);
    }

    /** Closes the gate (and the engine it created). */
    @Override
    public void close() {
        gate.close();
    }

    /** Swaps each accepted document into the gate once the gate exists. */
    private static final class Swapper implements PolicyFiles.Listener {
        private volatile PolicyGate gate;

        @Override
        public void accepted(PolicyDocument previous, PolicyDocument next) {
            PolicyGate g = gate;
            if (g != null) {
                g.swap(next.policy());
                next.applyOverrides(g);
            }
        }
    }
}
