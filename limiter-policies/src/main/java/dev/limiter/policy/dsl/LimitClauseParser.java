package dev.limiter.policy.dsl;

import dev.limiter.policy.dsl.PolicySyntax.At;
import dev.limiter.policy.dsl.PolicySyntax.LimitNode;
import dev.limiter.policy.dsl.PolicySyntax.Pos;
import dev.limiter.policy.dsl.Token.Kind;

/**
 * Parses {@code limit ALGORITHM N [per D] [burst N] [sub-windows K] [max-hold D] [name NAME]}, the
 * options in any order, each at most once; whether they suit the algorithm is the validator's call.
 */
final class LimitClauseParser {
    private final PolicyParser p;
    private At<Long> period;
    private At<Long> burst;
    private At<Long> subWindows;
    private At<Long> maxHold;
    private At<String> name;

    LimitClauseParser(PolicyParser p) {
        this.p = p;
    }

    LimitNode limit() {
        Token start = p.take();
        Token alg = p.expect(Kind.WORD, "an algorithm (token-bucket, fixed-window, sliding-window, concurrency, "
                + "quota, cardinality)");
        Token permits = p.expect(Kind.NUMBER, "the limit's permits (a number)");
        while (p.peek().is(Kind.WORD)) {
            Token o = p.peek();
            switch (o.text()) {
                case "per":
                    once(period, o);
                    p.take();
                    period = duration(o, "a period such as 1s, 10m, 1h or 1d");
                    break;
                case "burst":
                    once(burst, o);
                    p.take();
                    burst = new At<>(p.number("a burst (a number)"), Pos.of(o));
                    break;
                case "sub-windows":
                    once(subWindows, o);
                    p.take();
                    subWindows = new At<>(p.number("a number of sub-windows"), Pos.of(o));
                    break;
                case "max-hold":
                    once(maxHold, o);
                    p.take();
                    maxHold = duration(o, "a maximum hold time such as 5m");
                    break;
                case "name":
                    once(name, o);
                    p.take();
                    name = p.name("a limit name");
                    break;
                default:
                    throw p.fail(o, "a limit option (per, burst, sub-windows, max-hold, name) or end of line");
            }
        }
        return new LimitNode(Pos.of(start), new At<>(alg.text(), Pos.of(alg)), permits.number(), Pos.of(permits),
                period, burst, subWindows, maxHold, name);
    }

    private void once(At<?> seen, Token at) {
        if (seen != null) {
            p.duplicate(at, at.text(), seen.pos());
        }
    }

    private At<Long> duration(Token option, String what) {
        Token d = p.expect(Kind.DURATION, what);
        if (d.number() <= 0) {
            throw p.fail(d, "a positive duration");
        }
        return new At<>(d.number(), Pos.of(option));
    }
}
