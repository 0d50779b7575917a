package dev.limiter.cli;

import dev.limiter.policy.KeyPart;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Request;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Rule;
import dev.limiter.policy.dsl.InvalidPolicyException;
import dev.limiter.policy.dsl.PolicyError;
import dev.limiter.policy.dsl.PolicyPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code limiter explain --policy P METHOD PATH [-H name:value]...}: which rules apply to one
 * request, through which route, with which key, limit, cost and denial message; whether the request
 * is refused for a missing key; and which rules matched its path but were dropped, and why.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show which rules of a policy apply to one request: route, key, limit, cost and message.")
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "a policy file (or shipped:NAME)")
    String policy;

    @Parameters(index = "0", paramLabel = "METHOD")
    String method;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    @Mixin
    RequestOptions request = new RequestOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Policy p;
        try {
            p = PolicySources.load(policy).policy();
        } catch (InvalidPolicyException e) {
            e.errors().stream().map(PolicyError::render).forEach(err::println);
            err.flush();
            return 1;
        } catch (IOException e) {
            err.printf("%s: cannot read: %s%n", policy, e.getMessage());
            err.flush();
            return 1;
        }
        Request r;
        try {
            r = request.build(method, path, "");
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
        RouteMatcher matcher = RouteMatcher.compile(p);
        MatchResult m = matcher.match(r, matcher.newResult());
        out.printf("%s %s: %d rule%s of policy %s %s appl%s%n", method.toUpperCase(java.util.Locale.ROOT), path,
                m.size(), m.size() == 1 ? "" : "s", p.name(), p.version(), m.size() == 1 ? "ies" : "y");
        for (int i = 0; i < m.size(); i++) {
            Rule rule = m.rule(i);
            out.printf("%n  %s%s%s%n", rule.name(), rule.group() == null ? "" : " (group " + rule.group() + ")",
                    rule.catchAll() ? " catch-all" : "");
            if (p.shadows(rule)) {
                out.printf("    shadow   counts, never denies%n");
            }
            out.printf("    route    %s%n", m.route(i));
            out.printf("    key      %s%n", key(rule.key(), RequestOptions.keyParts(m.key(i))));
            if (!rule.member().isEmpty()) {
                out.printf("    member   %s%n", key(rule.member(), RequestOptions.keyParts(m.member(i))));
            }
            out.printf("    %s%n", PolicyPrinter.limit(rule.limit(), rule.name()).replaceFirst("limit ", "limit    "));
            out.printf("    cost     %d%n", m.cost(i));
            out.printf("    message  %s%n", rule.message());
            out.printf("    override %s%n", rule.override().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            out.printf("    sources  %s%n", rule.provenance());
        }
        if (m.refusalStatus() != 0) {
            out.printf("%nrefused with %d%s: %s%n", m.refusalStatus(), m.refusingRule() == null ? ""
                    : " (a key part of rule " + m.refusingRule().name() + " is missing)", m.refusalMessage());
        }
        List<String> dropped = DroppedRules.of(p, r, m);
        if (!dropped.isEmpty()) {
            out.printf("%nmatched but dropped:%n");
            dropped.forEach(d -> out.printf("  %s%n", d));
        }
        out.flush();
        return 0;
    }

    private static String key(List<KeyPart> parts, List<String> values) {
        if (parts.isEmpty()) {
            return "(none: one bucket for every request)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(PolicyPrinter.keyPart(parts.get(i))).append(" = ").append(i < values.size() ? values.get(i) : "");
        }
        return sb.toString();
    }
}
