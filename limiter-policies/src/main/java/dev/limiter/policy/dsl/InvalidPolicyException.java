package dev.limiter.policy.dsl;

import java.util.List;

/**
 * Thrown when a policy file does not parse or does not validate; carries every error found, each
 * with its file, line and column, in file order.
 */
public final class InvalidPolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<PolicyError> errors;

    /** @param errors the errors found, at least one */
    public InvalidPolicyException(List<PolicyError> errors) {
        this.errors = List.copyOf(errors);
    }

    /** @return every error rendered, one after another (built on each call) */
    @Override
    public String getMessage() {
        return render(errors);
    }

    private static String render(List<PolicyError> errors) {
        StringBuilder sb = new StringBuilder();
        for (PolicyError e : errors) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(e.render());
        }
        return sb.toString();
    }

    /** @return the errors, in file order */
    public List<PolicyError> errors() {
        return errors;
    }
}
