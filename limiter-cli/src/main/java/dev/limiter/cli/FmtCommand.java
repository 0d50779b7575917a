package dev.limiter.cli;

import dev.limiter.policy.dsl.InvalidPolicyException;
import dev.limiter.policy.dsl.PolicyError;
import dev.limiter.policy.dsl.PolicyParser;
import dev.limiter.policy.dsl.PolicyPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code limiter fmt [--check] FILE}: prints the file in canonical form; with {@code --check}
 * prints nothing and exits 1 when the file is not already canonical (for CI).
 */
@Command(name = "fmt", mixinStandardHelpOptions = true,
        description = "Print a policy file in canonical form; --check exits 1 when the file differs from it.")
final class FmtCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--check", description = "only check that FILE is canonical (exit 1 if not)")
    boolean check;

    @Parameters(paramLabel = "FILE", description = "a policy file (or shipped:NAME)")
    String file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String text = PolicySources.read(file);
            String canonical = PolicyPrinter.print(PolicyParser.parse(file, text));
            if (!check) {
                out.print(canonical);
                out.flush();
                return 0;
            }
            if (canonical.equals(text.replace("\r\n", "\n"))) {
                out.printf("%s: canonical%n", file);
                out.flush();
                return 0;
            }
            err.printf("%s: not in canonical form (first difference at line %d); run 'limiter fmt %s'%n", file,
                    firstDifferentLine(text.replace("\r\n", "\n"), canonical), file);
            err.flush();
            return 1;
        } catch (InvalidPolicyException e) {
            for (PolicyError error : e.errors()) {
                err.println(error.render());
            }
            err.flush();
            return 1;
        } catch (IOException e) {
            err.printf("%s: cannot read: %s%n", file, e.getMessage());
            err.flush();
            return 1;
        }
    }

    static int firstDifferentLine(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int i = 0;
        while (i < x.length && i < y.length && x[i].equals(y[i])) {
            i++;
        }
        return i + 1;
    }
}
