package dev.limiter.policy.dsl;

import dev.limiter.policy.dsl.PolicySyntax.At;
import dev.limiter.policy.dsl.PolicySyntax.ConditionNode;
import dev.limiter.policy.dsl.PolicySyntax.KeyNode;
import dev.limiter.policy.dsl.PolicySyntax.KeyModifier;
import dev.limiter.policy.dsl.PolicySyntax.Pos;
import dev.limiter.policy.dsl.PolicySyntax.RouteNode;
import dev.limiter.policy.dsl.PolicySyntax.RuleNode;
import dev.limiter.policy.dsl.Token.Kind;

import java.util.ArrayList;
import java.util.List;

/** The clauses inside a rule block, kept apart from the file structure above. */
final class RuleClauseParser {
    private static final String CLAUSES = "a rule clause (group, route, when, except, key, member, "
            + "limit, cost, wait, message, override, source, shadow, catch-all) or '}'";
    /** How deep parenthesised key parts may nest: as deep as a key part's fallbacks and substitutes. */
    static final int MAX_NESTING = 8;
    private final PolicyParser p;

    RuleClauseParser(PolicyParser p) {
        this.p = p;
    }

    void clause(RuleNode r, Token t) {
        if (!t.is(Kind.WORD)) {
            throw p.fail(t, CLAUSES);
        }
        switch (t.text()) {
            case "group":
                if (r.group != null) {
                    p.duplicate(t, "group", r.group.pos());
                }
                p.take();
                r.group = p.name("a group name");
                break;
            case "route":
                r.routes.add(route());
                break;
            case "when":
            case "except":
                p.take();
                (t.text().equals("when") ? r.conditions : r.exemptions).add(condition(t));
                break;
            case "key":
            case "member":
                Pos first = t.text().equals("key") ? r.keyPos : r.memberPos;
                if (first != null) {
                    p.duplicate(t, t.text(), first);
                }
                p.take();
                List<KeyNode> parts = new ArrayList<>();
                parts.add(keyPart(0));
                while (p.peek().is(Kind.COMMA)) {
                    p.take();
                    parts.add(keyPart(0));
                }
                if (t.text().equals("key")) {
                    r.key = parts;
                    r.keyPos = Pos.of(t);
                } else {
                    r.member = parts;
                    r.memberPos = Pos.of(t);
                }
                break;
            case "limit":
                if (r.limit != null) {
                    p.duplicate(t, "limit", r.limit.pos());
                }
                r.limit = new LimitClauseParser(p).limit();
                break;
            case "cost":
                if (r.cost != null) {
                    p.duplicate(t, "cost", r.cost.pos());
                }
                p.take();
                r.cost = new At<>(p.number("a cost (a number)"), Pos.of(t));
                break;
            case "wait":
                if (r.maxWait != null) {
                    p.duplicate(t, "wait", r.maxWait.pos());
                }
                p.take();
                r.maxWait = new At<>(p.expect(Kind.DURATION, "a maximum wait such as 50ms").number(), Pos.of(t));
                break;
            case "message":
                if (r.message != null) {
                    p.duplicate(t, "message", r.message.pos());
                }
                p.take();
                r.message = new At<>(p.string("a denial message"), Pos.of(t));
                break;
            case "override":
                if (r.override != null) {
                    p.duplicate(t, "override", r.override.pos());
                }
                p.take();
                Token kind = p.expect(Kind.WORD, "an override kind (raisable, lifted-when-verified, fixed)");
                r.override = new At<>(kind.text(), Pos.of(kind));
                break;
            case "source":
                r.sources.add(p.source());
                break;
            case "shadow":
                p.take();
                r.shadow = Pos.of(t);
                break;
            case "catch-all":
                p.take();
                r.catchAll = Pos.of(t);
                break;
            default:
                throw p.fail(t, CLAUSES);
        }
    }

    private RouteNode route() {
        Token t = p.take();
        String methods;
        Token m = p.peek();
        if (m.is(Kind.STAR)) {
            p.take();
            methods = "*";
        } else {
            StringBuilder sb = new StringBuilder(p.expect(Kind.WORD, "'*' or HTTP methods such as GET,POST").text());
            while (p.peek().is(Kind.COMMA)) {
                p.take();
                sb.append(',').append(p.expect(Kind.WORD, "an HTTP method").text());
            }
            methods = sb.toString();
        }
        Token tpl = p.peek();
        if (!tpl.is(Kind.PATH) && !tpl.is(Kind.STRING)) {
            throw p.fail(tpl, "a path template such as /v3/grants/{grant_id}/messages/**");
        }
        p.take();
        long cost = 0;
        Pos costPos = null;
        if (p.peek().isWord("cost")) {
            costPos = Pos.of(p.take());
            cost = p.number("a cost (a number)");
        }
        return new RouteNode(Pos.of(t), methods, tpl.string(), Pos.of(tpl), cost, costPos);
    }

    private ConditionNode condition(Token at) {
        Token t = p.peek();
        if (t.isWord("content-type")) {
            p.take();
            return new ConditionNode(Pos.of(at), true, "Content-Type", "media-type", p.string("a media type"));
        }
        if (!t.isWord("header") && !t.isWord("attribute")) {
            throw p.fail(t, "'header', 'attribute' or 'content-type'");
        }
        p.take();
        String name = p.name(t.text().equals("header") ? "a header name" : "an attribute name").value();
        Token test = p.peek();
        if (test.isWord("present")) {
            p.take();
            return new ConditionNode(Pos.of(at), t.isWord("header"), name, "present", null);
        }
        if (test.is(Kind.EQUALS) || test.isWord("media-type")) {
            p.take();
            String value = p.string(test.is(Kind.EQUALS) ? "a value" : "a media type");
            return new ConditionNode(Pos.of(at), t.isWord("header"), name,
                    test.is(Kind.EQUALS) ? "equals" : "media-type", value);
        }
        throw p.fail(test, "'present', '=' or 'media-type'");
    }

    /**
     * A key part and its modifiers, chained without recursion: {@code header A or header B
     * or-shared "x"}; a part with modifiers of its own is the operand of {@code or} or
     * {@code substitute ... with} only in parentheses, nested at most {@value #MAX_NESTING} deep.
     */
    private KeyNode keyPart(int depth) {
        KeyNode base = basePart();
        List<KeyModifier> modifiers = new ArrayList<>();
        while (p.peek().is(Kind.WORD)) {
            Token m = p.peek();
            if (m.isWord("or")) {
                p.take();
                modifiers.add(new KeyModifier(Pos.of(m), "or", operand(depth), null, 0));
            } else if (m.isWord("or-shared")) {
                p.take();
                modifiers.add(new KeyModifier(Pos.of(m), "or-shared", null, p.string("a shared bucket name"), 0));
            } else if (m.isWord("or-refuse")) {
                p.take();
                long status = p.number("an HTTP status such as 401");
                String message = p.string("the refusal's message");
                modifiers.add(new KeyModifier(Pos.of(m), "or-refuse", null, message, status));
            } else if (m.isWord("substitute")) {
                p.take();
                String value = p.string("the value to substitute");
                p.expectWord("with");
                modifiers.add(new KeyModifier(Pos.of(m), "substitute", operand(depth), value, 0));
            } else {
                break;
            }
        }
        return new KeyNode(base.pos(), base.kind(), base.name(), base.segments(), List.copyOf(modifiers));
    }

    /** The part after {@code or} or {@code with}: a bare part, or a part with modifiers in parentheses. */
    private KeyNode operand(int depth) {
        Token t = p.peek();
        if (!t.is(Kind.LPAREN)) {
            return basePart();
        }
        if (depth >= MAX_NESTING) {
            throw p.fail(t, "a key part without parentheses (they nest at most " + MAX_NESTING + " deep)");
        }
        p.take();
        KeyNode inner = keyPart(depth + 1);
        p.expect(Kind.RPAREN, "')'");
        return inner;
    }

    private KeyNode basePart() {
        Token t = p.peek();
        if (t.is(Kind.LBRACE)) {
            p.take();
            String v = p.name("a path variable name").value();
            p.expect(Kind.RBRACE, "'}'");
            return new KeyNode(Pos.of(t), "variable", v, 0, List.of());
        }
        if (t.isWord("header") || t.isWord("attribute") || t.isWord("query")) {
            p.take();
            return new KeyNode(Pos.of(t), t.text(), p.name("a " + t.text() + " name").value(), 0, List.of());
        }
        if (t.isWord("shared")) {
            p.take();
            return new KeyNode(Pos.of(t), "shared", p.string("a shared bucket name"), 0, List.of());
        }
        if (t.isWord("endpoint")) {
            p.take();
            return new KeyNode(Pos.of(t), "endpoint", null, p.number("the endpoint's path segments (a number)"),
                    List.of());
        }
        if (t.isWord("client-address") || t.isWord("route")) {
            p.take();
            return new KeyNode(Pos.of(t), t.text(), null, 0, List.of());
        }
        throw p.fail(t, "a key part ({variable}, header NAME, attribute NAME, query NAME, client-address, "
                + "endpoint N, route, shared \"BUCKET\")");
    }
}
