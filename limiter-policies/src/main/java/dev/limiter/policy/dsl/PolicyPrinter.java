package dev.limiter.policy.dsl;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Provenance;
import dev.limiter.policy.Route;
import dev.limiter.policy.Rule;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Prints a policy in the one canonical form of the policy language: fixed clause order, four-space
 * indents, defaults left out, names bare when they are words and quoted otherwise, durations in
 * their largest exact unit; {@code PolicyParser.parse(print(p))} gives back an equal policy.
 */
public final class PolicyPrinter {
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");
    private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
    private static final String INDENT = "    ";

    private PolicyPrinter() {
    }

    /** @return {@code policy} in canonical form, without comments or overrides */
    public static String print(Policy policy) {
        return print(PolicyDocument.of(policy));
    }

    /** @return the document in canonical form: comments, the policy, then its overrides */
    public static String print(PolicyDocument doc) {
        StringBuilder sb = new StringBuilder();
        Policy p = doc.policy();
        comments(sb, "", doc.comments());
        sb.append("policy ").append(name(p.name())).append(" {\n");
        sb.append(INDENT).append("version ").append(name(p.version())).append('\n');
        sb.append(INDENT).append("error-type ").append(quote(p.errorType())).append('\n');
        if (p.shadow()) {
            sb.append(INDENT).append("shadow\n");
        }
        for (Provenance s : p.provenance()) {
            sb.append(INDENT).append(source(s)).append('\n');
        }
        for (Rule r : p.rules()) {
            sb.append('\n');
            comments(sb, INDENT, doc.ruleComments().getOrDefault(r.name(), List.of()));
            rule(sb, r);
        }
        if (!doc.overrides().isEmpty()) {
            sb.append('\n');
        }
        for (KeyOverride o : doc.overrides()) {
            sb.append(INDENT).append(o.kind() == KeyOverride.Kind.RAISE ? "raise " : "lift ").append(name(o.rule()));
            if (o.kind() == KeyOverride.Kind.RAISE) {
                sb.append(" to ").append(o.permits());
            }
            for (int i = 0; i < o.key().size(); i++) {
                sb.append(i == 0 ? " for " : ", ").append(quote(o.key().get(i)));
            }
            sb.append('\n');
        }
        return sb.append("}\n").toString();
    }

    private static void comments(StringBuilder sb, String indent, List<String> comments) {
        for (String c : comments) {
            sb.append(indent).append('#').append(c.replace('\n', ' ').replace('\r', ' ')).append('\n');
        }
    }

    private static void rule(StringBuilder sb, Rule r) {
        String in = INDENT + INDENT;
        sb.append(INDENT).append("rule ").append(name(r.name())).append(" {\n");
        if (r.group() != null) {
            sb.append(in).append("group ").append(name(r.group())).append('\n');
        }
        if (r.catchAll()) {
            sb.append(in).append("catch-all\n");
        }
        if (r.shadow()) {
            sb.append(in).append("shadow\n");
        }
        for (Route route : r.routes()) {
            sb.append(in).append("route ").append(route.methods().isEmpty() ? "*" : String.join(",", route.methods()))
                    .append(' ').append(template(route.template().toString()));
            if (route.cost() != Route.DEFAULT_COST) {
                sb.append(" cost ").append(route.cost());
            }
            sb.append('\n');
        }
        for (Condition c : r.conditions()) {
            sb.append(in).append("when ").append(condition(c)).append('\n');
        }
        for (Condition c : r.exemptions()) {
            sb.append(in).append("except ").append(condition(c)).append('\n');
        }
        if (!r.key().isEmpty()) {
            sb.append(in).append("key ").append(parts(r.key())).append('\n');
        }
        if (!r.member().isEmpty()) {
            sb.append(in).append("member ").append(parts(r.member())).append('\n');
        }
        sb.append(in).append(limit(r.limit(), r.name())).append('\n');
        if (r.cost() != 1) {
            sb.append(in).append("cost ").append(r.cost()).append('\n');
        }
        if (!r.maxWait().isZero()) {
            sb.append(in).append("wait ").append(duration(r.maxWait().toNanos())).append('\n');
        }
        sb.append(in).append("message ").append(quote(r.message())).append('\n');
        if (r.override() != OverrideKind.RAISABLE) {
            sb.append(in).append("override ")
                    .append(r.override() == OverrideKind.FIXED ? "fixed" : "lifted-when-verified").append('\n');
        }
        for (Provenance s : r.provenance()) {
            sb.append(in).append(source(s)).append('\n');
        }
        sb.append(INDENT).append("}\n");
    }

    private static String source(Provenance s) {
        return "source " + quote(s.document()) + " row " + name(s.row());
    }

    private static String condition(Condition c) {
        if (c.source() == Condition.Source.HEADER && c.name().equals("Content-Type")
                && c.test() == Condition.Test.MEDIA_TYPE) {
            return "content-type " + quote(c.value());
        }
        String on = (c.source() == Condition.Source.HEADER ? "header " : "attribute ") + name(c.name());
        switch (c.test()) {
            case PRESENT:
                return on + " present";
            case EQUALS:
                return on + " = " + quote(c.value());
            default:
                return on + " media-type " + quote(c.value());
        }
    }

    private static String parts(List<KeyPart> parts) {
        StringBuilder sb = new StringBuilder();
        for (KeyPart k : parts) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            chain(sb, k);
        }
        return sb.toString();
    }

    /** @return one key part with its substitute, fallbacks and missing-key choice, as a {@code key} clause writes it */
    public static String keyPart(KeyPart k) {
        StringBuilder sb = new StringBuilder();
        chain(sb, k);
        return sb.toString();
    }

    /**
     * A part, its substitute, its fallbacks in order (each with its own substitute, in parentheses)
     * and the last fallback's choice for a missing value: {@code header A or client-address
     * or-refuse 401 "..."}.
     */
    private static void chain(StringBuilder sb, KeyPart k) {
        base(sb, k);
        KeyPart last = k;
        for (KeyPart f = k.fallback(); f != null; f = f.fallback()) {
            sb.append(" or ");
            if (f.substitute() != null) {
                sb.append('(');
                base(sb, f);
                sb.append(')');
            } else {
                base(sb, f);
            }
            last = f;
        }
        if (last.sharedBucket() != null) {
            sb.append(" or-shared ").append(quote(last.sharedBucket()));
        } else if (refuses(last)) {
            sb.append(" or-refuse ").append(last.refuseStatus()).append(' ').append(quote(last.refuseMessage()));
        }
    }

    private static boolean refuses(KeyPart k) {
        return k.canBeMissing() && k.fallback() == null && k.sharedBucket() == null && k.refuseMessage() != null;
    }

    /** A part's source and its substitute, without its fallbacks. */
    private static void base(StringBuilder sb, KeyPart k) {
        switch (k.source()) {
            case PATH_VARIABLE:
                sb.append('{').append(name(k.name())).append('}');
                break;
            case HEADER:
                sb.append("header ").append(name(k.name()));
                break;
            case ATTRIBUTE:
                sb.append("attribute ").append(name(k.name()));
                break;
            case QUERY_PARAMETER:
                sb.append("query ").append(name(k.name()));
                break;
            case CLIENT_ADDRESS:
                sb.append("client-address");
                break;
            case ENDPOINT:
                sb.append("endpoint ").append(k.segments());
                break;
            case SHARED:
                sb.append("shared ").append(quote(k.name()));
                break;
            default:
                sb.append("route");
        }
        KeyPart instead = k.substitute();
        if (instead != null) {
            sb.append(" substitute ").append(quote(k.substituted())).append(" with ");
            boolean plain = instead.substitute() == null && instead.fallback() == null
                    && instead.sharedBucket() == null && !refuses(instead);
            if (!plain) {
                sb.append('(');
            }
            chain(sb, instead);
            if (!plain) {
                sb.append(')');
            }
        }
    }

    /** @return the {@code limit ...} clause of {@code l} in a rule called {@code rule} */
    public static String limit(Limit l, String rule) {
        Algorithm a = l.algorithm();
        StringBuilder sb = new StringBuilder("limit ").append(RuleValidator.word(a)).append(' ').append(l.permits());
        switch (a) {
            case TOKEN_BUCKET:
                sb.append(" per ").append(duration(l.periodNanos()));
                if (l.burst() != l.permits()) {
                    sb.append(" burst ").append(l.burst());
                }
                break;
            case FIXED_WINDOW:
                sb.append(" per ").append(duration(l.periodNanos()));
                break;
            case SLIDING_WINDOW:
                sb.append(" per ").append(duration(l.periodNanos()));
                if (l.subWindows() != Limit.DEFAULT_SUB_WINDOWS) {
                    sb.append(" sub-windows ").append(l.subWindows());
                }
                break;
            case CONCURRENCY:
                sb.append(" max-hold ").append(duration(l.maxHoldNanos()));
                break;
            default:
                break;
        }
        if (!l.name().equals(rule)) {
            sb.append(" name ").append(name(l.name()));
        }
        return sb.toString();
    }

    /** @return {@code nanos} in its largest exact unit, such as {@code 1s} or {@code 1500ms} */
    public static String duration(long nanos) {
        for (String u : UNITS) {
            long scale = PolicyLexer.unitNanos(u);
            if (nanos % scale == 0) {
                return nanos / scale + u;
            }
        }
        return nanos + "ns";
    }

    /** @return {@code s} bare when it is a word of the language, else quoted */
    static String name(String s) {
        return WORD.matcher(s).matches() ? s : quote(s);
    }

    private static String template(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= ' ' || c > '~' || c == '"' || c == '\\') {
                return quote(t);
            }
        }
        return t;
    }

    /** @return {@code s} as a quoted string of the language, escaping quotes, backslashes and control characters */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\t': sb.append("\\t"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
