package dev.limiter.cli;

import dev.limiter.policy.dsl.InvalidPolicyException;
import dev.limiter.policy.dsl.PolicyDocument;
import dev.limiter.policy.dsl.PolicyError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code limiter check FILE...}: parses and validates each file; exit 0 when all are valid, 1 otherwise. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse and validate policy files; print each error as file:line:column with the line and a caret.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "policy files (or shipped:NAME)")
    List<String> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int bad = 0;
        for (String f : files) {
            try {
                PolicyDocument doc = PolicySources.load(f);
                int rules = doc.policy().rules().size();
                out.printf("%s: ok (policy %s %s, %d rule%s)%n", f, doc.policy().name(), doc.policy().version(), rules,
                        rules == 1 ? "" : "s");
            } catch (InvalidPolicyException e) {
                bad++;
                for (PolicyError error : e.errors()) {
                    err.println(error.render());
                }
                err.printf("%s: %d error%s%n", f, e.errors().size(), e.errors().size() == 1 ? "" : "s");
            } catch (IOException e) {
                bad++;
                err.printf("%s: cannot read: %s%n", f, e.getMessage());
            }
        }
        out.flush();
        err.flush();
        return bad == 0 ? 0 : 1;
    }
}
