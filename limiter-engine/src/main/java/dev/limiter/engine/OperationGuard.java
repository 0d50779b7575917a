package dev.limiter.engine;

import dev.limiter.Algorithm;
import dev.limiter.Limit;

/**
 * Which operations a limit's algorithm takes, checked at run time behind the typed API (a call
 * through a cast to the engine's class still gets a clear exception, and nothing changes).
 */
final class OperationGuard {
    private final String name;
    private final Algorithm algorithm;

    OperationGuard(Limit limit) {
        this.name = limit.name();
        this.algorithm = limit.algorithm();
    }

    /** Plain acquires and handles: every algorithm but concurrency (leases) and cardinality (members). */
    void plainOnly() {
        if (algorithm == Algorithm.CONCURRENCY || algorithm == Algorithm.CARDINALITY) {
            throw unsupported(algorithm == Algorithm.CONCURRENCY
                    ? ": take permits with tryLease (or a composite check) so that they can be released"
                    : ": admit members with tryAdmit(parent, member, ...) or Checks.addMember");
        }
    }

    void leasesOnly() {
        if (algorithm != Algorithm.CONCURRENCY) {
            throw unsupported("; leases come from concurrency limits");
        }
    }

    void membersOnly() {
        if (algorithm != Algorithm.CARDINALITY) {
            throw unsupported("; members are admitted by cardinality limits");
        }
    }

    void resettable() {
        if (algorithm != Algorithm.QUOTA && algorithm != Algorithm.CARDINALITY) {
            throw unsupported("; only quota and cardinality limits are reset by an operator");
        }
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("limit '" + name + "' is " + algorithm + what);
    }
}
