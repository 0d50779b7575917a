package dev.limiter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code limiter} command: checks, formats, explains and simulates rate-limit policy files;
 * {@code java -jar limiter.jar COMMAND ...}.
 */
@Command(name = "limiter", mixinStandardHelpOptions = true, version = "limiter 0.1.0",
        description = "Author, check, explain and simulate rate-limit policies.",
        subcommands = {CheckCommand.class, FmtCommand.class, ExplainCommand.class, SimulateCommand.class})
public final class LimiterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the command line, ready to {@link CommandLine#execute execute} (tests capture its output) */
    public static CommandLine commandLine() {
        return new CommandLine(new LimiterCommand());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected a command: check, fmt, explain or simulate");
    }
}
