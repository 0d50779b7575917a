package dev.limiter.policy.dsl;

import dev.limiter.Algorithm;
import dev.limiter.Limit;
import dev.limiter.policy.Condition;
import dev.limiter.policy.KeyPart;
import dev.limiter.policy.OverrideKind;
import dev.limiter.policy.Policy;
import dev.limiter.policy.Rule;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Generates valid policies from a list of choices, so that QuickTheories shrinks a failing policy
 * by shrinking the choices (fewer rules, simpler routes, plainer names). Names, messages and
 * templates are drawn from pools that include what a printer gets wrong: quotes, backslashes,
 * line breaks, control characters, non-ASCII letters, keywords and words that are not words.
 */
final class RandomPolicies {
    static final String[] NAMES = {"a", "r-1", "nylas3.email", "with space", "quo\"te", "1digit", "\u00fcber",
        "_x", "#hash", "}", "rule", "policy", "limit", "back\\slash"};
    static final String[] TEXTS = {"Too many requests", "", "line\nbreak", "tab\there", "quo\"te", "back\\slash",
        "\u0001ctl", "emoji \ud83d\ude00", "# not a comment", "{brace}", "\u2028sep", "\r", "  padded  "};
    static final String[] SEGMENTS = {"a", "b", "*", "v3", "\u00fcml", "has space", "q\"t", "x.y-z"};
    static final String[] METHODS = {"*", "GET", "GET,POST", "DELETE", "PATCH,PUT"};
    static final long[] PERMITS = {1, 7, 250, 5000, Limit.MAX_PERMITS};
    static final long[] PERIODS = {1_000_000_000L, 60_000_000_000L, 1_500_000_000L, 64, 86_400_000_000_000L,
        Long.MAX_VALUE};

    private final List<Integer> choices;
    private int next;

    private RandomPolicies(List<Integer> choices) {
        this.choices = choices;
    }

    /** @return a generator of valid policies */
    static Gen<Policy> policies() {
        return lists().of(integers().between(0, 1 << 20)).ofSizeBetween(0, 120).map(c -> new RandomPolicies(c).policy());
    }

    private int pick(int n) {
        return next < choices.size() ? choices.get(next++) % n : 0;
    }

    private boolean coin() {
        return pick(2) == 1;
    }

    private Policy policy() {
        Policy.Builder p = Policy.named(NAMES[pick(NAMES.length)]).version(coin() ? "2024-06" : NAMES[pick(NAMES.length)])
                .errorType(TEXTS[pick(TEXTS.length)]).shadow(pick(8) == 0);
        for (int i = pick(3); i > 0; i--) {
            p.source(NAMES[pick(NAMES.length)], NAMES[pick(NAMES.length)]);
        }
        List<Rule> rules = new ArrayList<>();
        int n = 1 + pick(4);
        int catchAlls = pick(3);
        for (int i = 0; i < n + catchAlls; i++) {
            int mark = next;
            Rule first = rule(i, i >= n);
            Rule r = first;
            if (first.catchAll() && rules.stream().anyMatch(regular -> ShadowedRules.displaces(regular, first))) {
                next = mark;
                r = rule(i, false);
            }
            for (Rule earlier : rules) {
                if (r.group() != null && r.group().equals(earlier.group()) && earlier.catchAll() == r.catchAll()
                        && ShadowedRules.shadows(earlier, r)) {
                    r = r.toBuilder().group(null).build();
                    break;
                }
            }
            Rule last = r;
            if (r.catchAll() && rules.stream().anyMatch(regular -> ShadowedRules.displaces(regular, last))) {
                next = mark;
                r = rule(i, false);
            }
            rules.add(r);
        }
        rules.forEach(p::rule);
        return p.build();
    }

    private Rule rule(int index, boolean catchAll) {
        String name = NAMES[pick(NAMES.length)] + index;
        Rule.Builder b = Rule.named(name);
        if (catchAll) {
            b.catchAll();
        }
        b.shadow(pick(4) == 0);
        Algorithm algorithm = Algorithm.values()[pick(Algorithm.values().length)];
        Limit limit = limit(algorithm, coin() ? name : "limit " + index);
        boolean counted = algorithm == Algorithm.CONCURRENCY || algorithm == Algorithm.CARDINALITY;
        long maxCost = counted ? 1 : Math.min(limit.maxPermitsPerRequest(), 20);
        boolean keyed = coin();
        for (int r = 1 + pick(3); r > 0; r--) {
            StringBuilder t = new StringBuilder(keyed ? "/t/{v}" : "");
            for (int s = pick(4); s > 0; s--) {
                String seg = SEGMENTS[pick(SEGMENTS.length)];
                t.append('/').append(seg.equals("b") ? "{x" + s + "}" : seg);
            }
            if (coin()) {
                t.append("/**");
            }
            b.route(METHODS[pick(METHODS.length)], t.length() == 0 ? "/" : t.toString(), pick((int) maxCost + 1));
        }
        for (int c = pick(3); c > 0; c--) {
            b.when(condition());
        }
        for (int c = pick(2); c > 0; c--) {
            b.exempt(condition());
        }
        if (coin()) {
            b.group("g" + pick(2));
        }
        for (int k = 1 + pick(3); k > 0; k--) {
            b.key(keyPart(keyed, 0));
        }
        if (algorithm != Algorithm.CARDINALITY && pick(4) == 0) {
            b.maxWait(java.time.Duration.ofMillis(1 + pick(2_000)));
        }
        if (algorithm == Algorithm.CARDINALITY) {
            for (int k = 1 + pick(2); k > 0; k--) {
                b.member(keyPart(keyed, 0));
            }
        }
        b.limit(limit).cost(1 + pick((int) maxCost)).message(TEXTS[pick(TEXTS.length)])
                .override(OverrideKind.values()[pick(OverrideKind.values().length)]);
        for (int s = 1 + pick(2); s > 0; s--) {
            b.source(NAMES[pick(NAMES.length)], NAMES[pick(NAMES.length)]);
        }
        return b.build();
    }

    private Limit limit(Algorithm algorithm, String name) {
        long permits = PERMITS[pick(PERMITS.length)];
        Duration period = Duration.ofNanos(PERIODS[pick(PERIODS.length)]);
        switch (algorithm) {
            case TOKEN_BUCKET:
                Limit.Builder tb = Limit.tokenBucket(name, permits, period);
                if (coin()) {
                    tb.burst(1 + pick(1000));
                }
                return tb.build();
            case FIXED_WINDOW:
                return Limit.fixedWindow(name, permits, period).build();
            case SLIDING_WINDOW:
                Limit.Builder sw = Limit.slidingWindow(name, permits, period);
                if (coin()) {
                    sw.subWindows(1 + pick(Limit.MAX_SUB_WINDOWS));
                }
                return sw.build();
            case CONCURRENCY:
                return Limit.concurrency(name, permits, period).build();
            case QUOTA:
                return Limit.quota(name, permits).build();
            default:
                return Limit.cardinality(name, permits).build();
        }
    }

    private Condition condition() {
        Condition.On on = coin() ? Condition.header(NAMES[pick(NAMES.length)]) : Condition.attribute(NAMES[pick(NAMES.length)]);
        switch (pick(4)) {
            case 0:
                return on.present();
            case 1:
                return on.is(TEXTS[pick(TEXTS.length)]);
            case 2:
                return on.mediaType(coin() ? "multipart/form-data" : "a/\"b\"");
            default:
                return Condition.contentType("application/json");
        }
    }

    /**
     * A key part of any source, with (up to a nesting depth) a substitute, fallbacks with their own
     * substitutes, and a shared bucket or refusal at the end of the chain.
     */
    private KeyPart keyPart(boolean keyed, int depth) {
        KeyPart k = source(keyed);
        if (depth >= 2) {
            return k;
        }
        if (pick(4) == 0) {
            k = k.substitute(coin() ? "me" : TEXTS[pick(TEXTS.length)], keyPart(keyed, depth + 1));
        }
        if (!k.canBeMissing()) {
            return k;
        }
        for (int f = pick(3); f > 0; f--) {
            KeyPart other = keyPart(keyed, depth + 1);
            if (end(other).canBeMissing() || f == 1) {
                k = k.orElse(other);
            }
        }
        if (end(k).canBeMissing()) {
            switch (pick(3)) {
                case 0:
                    k = k.orShared(NAMES[pick(NAMES.length)]);
                    break;
                case 1:
                    k = k.orRefuse(400 + pick(100), TEXTS[pick(TEXTS.length)]);
                    break;
                default:
                    break;
            }
        }
        return k;
    }

    private static KeyPart end(KeyPart k) {
        KeyPart end = k;
        while (end.fallback() != null) {
            end = end.fallback();
        }
        return end;
    }

    private KeyPart source(boolean keyed) {
        switch (pick(8)) {
            case 0:
                return keyed ? KeyPart.pathVariable("v") : KeyPart.route();
            case 1:
                return KeyPart.header(NAMES[pick(NAMES.length)]);
            case 2:
                return KeyPart.attribute(NAMES[pick(NAMES.length)]);
            case 3:
                return KeyPart.clientAddress();
            case 4:
                return KeyPart.endpoint(1 + pick(27));
            case 5:
                return KeyPart.queryParameter(NAMES[pick(NAMES.length)]);
            case 6:
                return KeyPart.shared(NAMES[pick(NAMES.length)]);
            default:
                return KeyPart.route();
        }
    }
}
