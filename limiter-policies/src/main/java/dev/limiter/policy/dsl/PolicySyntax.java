package dev.limiter.policy.dsl;

import java.util.ArrayList;
import java.util.List;

/**
 * The parsed, not yet validated form of a policy file: what each clause said and where, so that
 * the {@link PolicyValidator} can point at the clause that is wrong.
 */
final class PolicySyntax {
    private PolicySyntax() {
    }

    /** A 1-based position. */
    record Pos(int line, int column) {
        static Pos of(Token t) {
            return new Pos(t.line(), t.column());
        }
    }

    /** A value and where it was written. */
    record At<T>(T value, Pos pos) {
    }

    /** {@code source "document" row id}. */
    record SourceNode(Pos pos, String document, String row) {
    }

    /** {@code route METHODS TEMPLATE [cost N]}; {@code cost} 0 when absent. */
    record RouteNode(Pos pos, String methods, String template, Pos templatePos, long cost, Pos costPos) {
    }

    /** {@code when}/{@code except} on a header or attribute; {@code test} is present, equals or media-type. */
    record ConditionNode(Pos pos, boolean header, String name, String test, String value) {
    }

    /**
     * A key part: kind is variable, header, attribute, query, client-address, endpoint, route or
     * shared (a named bucket); {@code modifiers} say what to do when its value is missing.
     */
    record KeyNode(Pos pos, String kind, String name, long segments, List<KeyModifier> modifiers) {
        String describe() {
            switch (kind) {
                case "variable":
                    return "{" + name + "}";
                case "header":
                case "attribute":
                case "query":
                    return kind + " " + name;
                case "endpoint":
                    return "endpoint " + segments;
                case "shared":
                    return "shared \"" + name + "\"";
                default:
                    return kind;
            }
        }
    }

    /**
     * What a key part does about a missing (or substituted) value: {@code or PART} (fall back),
     * {@code or-shared "bucket"}, {@code or-refuse STATUS "message"}, or
     * {@code substitute "value" with PART}.
     */
    record KeyModifier(Pos pos, String kind, KeyNode part, String text, long status) {
        String describe() {
            switch (kind) {
                case "or":
                    return "or " + part.describe();
                case "or-shared":
                    return "or-shared \"" + text + "\"";
                case "or-refuse":
                    return "or-refuse " + status;
                default:
                    return "substitute \"" + text + "\" with " + part.describe();
            }
        }
    }

    /** {@code limit ALGORITHM N [per D] [burst N] [sub-windows K] [max-hold D] [name NAME]}; absent options are null. */
    record LimitNode(Pos pos, At<String> algorithm, long permits, Pos permitsPos, At<Long> period, At<Long> burst,
                     At<Long> subWindows, At<Long> maxHold, At<String> name) {
    }

    /** {@code raise RULE to N for "key"...} or {@code lift RULE for "key"...}; permits 0 for a lift. */
    record OverrideNode(Pos pos, boolean raise, At<String> rule, long permits, List<String> key) {
    }

    /** One rule block, with its leading comments. */
    static final class RuleNode {
        Pos pos;
        At<String> name;
        final List<String> comments = new ArrayList<>();
        At<String> group;
        final List<RouteNode> routes = new ArrayList<>();
        final List<ConditionNode> conditions = new ArrayList<>();
        final List<ConditionNode> exemptions = new ArrayList<>();
        List<KeyNode> key;
        Pos keyPos;
        List<KeyNode> member;
        Pos memberPos;
        LimitNode limit;
        At<Long> cost;
        At<Long> maxWait;
        At<String> message;
        At<String> override;
        final List<SourceNode> sources = new ArrayList<>();
        Pos shadow;
        Pos catchAll;
    }

    /** The policy block. */
    static final class PolicyNode {
        Pos pos;
        At<String> name;
        final List<String> comments = new ArrayList<>();
        At<String> version;
        At<String> errorType;
        final List<SourceNode> sources = new ArrayList<>();
        final List<RuleNode> rules = new ArrayList<>();
        final List<OverrideNode> overrides = new ArrayList<>();
        Pos shadow;
    }
}
