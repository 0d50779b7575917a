package dev.limiter.policy.dsl;

import dev.limiter.policy.dsl.PolicySyntax.At;
import dev.limiter.policy.dsl.PolicySyntax.OverrideNode;
import dev.limiter.policy.dsl.PolicySyntax.PolicyNode;
import dev.limiter.policy.dsl.PolicySyntax.Pos;
import dev.limiter.policy.dsl.PolicySyntax.RuleNode;
import dev.limiter.policy.dsl.PolicySyntax.SourceNode;
import dev.limiter.policy.dsl.Token.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a policy file (see {@code docs/policy-language.md}) into a {@link PolicyDocument}: lexes,
 * parses with recovery at each line (so one run reports several errors), then validates with
 * {@link PolicyValidator}. Every problem is an {@link InvalidPolicyException} whose errors name
 * file, line and column; no other exception escapes for any input text.
 */
public final class PolicyParser {
    /** The longest policy file read, in characters; longer input is refused with one error. */
    public static final int MAX_CHARS = 1 << 20;

    private final PolicyErrors errors;
    private final List<Token> tokens;
    private final List<PolicyLexer.Comment> comments;
    private int next;
    private int commentsTaken;

    private PolicyParser(PolicyErrors errors, PolicyLexer lexer) {
        this.errors = errors;
        this.tokens = lexer.tokens();
        this.comments = lexer.comments();
    }

    /**
     * Parses and validates one policy file.
     *
     * @param file the name errors report, such as the path it was read from
     * @param text the file's contents
     * @return the policy, its overrides and its comments
     * @throws InvalidPolicyException listing every syntax or validation error found
     */
    public static PolicyDocument parse(String file, String text) throws InvalidPolicyException {
        String name = file == null ? "<policy>" : file;
        if (text == null) {
            text = "";
        }
        if (text.length() > MAX_CHARS) {
            PolicyErrors big = new PolicyErrors(name, text.substring(0, text.indexOf('\n') < 0 ? 200
                    : Math.min(200, text.indexOf('\n'))));
            big.add(1, 1, "expected a policy file of at most " + MAX_CHARS + " characters, found " + text.length());
            throw big.exception();
        }
        PolicyErrors errors = new PolicyErrors(name, text);
        PolicyLexer lexer = new PolicyLexer(text, errors).run();
        PolicyNode node = new PolicyParser(errors, lexer).document();
        if (!errors.isEmpty() || node == null) {
            if (errors.isEmpty()) {
                errors.add(1, 1, "expected 'policy', found end of file");
            }
            throw errors.exception();
        }
        PolicyDocument doc = new PolicyValidator(errors).validate(node);
        if (!errors.isEmpty() || doc == null) {
            throw errors.exception();
        }
        return doc;
    }

    /** Thrown inside the parser to abandon a clause; caught at the clause boundary. */
    static final class ClauseFailed extends RuntimeException {
        ClauseFailed() {
            super(null, null, false, false);
        }
    }

    Token peek() {
        return tokens.get(next);
    }

    Token take() {
        Token t = tokens.get(next);
        if (!t.is(Kind.EOF)) {
            next++;
        }
        return t;
    }

    ClauseFailed fail(Token at, String expected) {
        errors.add(at, "expected " + expected + ", found " + at.describe());
        return new ClauseFailed();
    }

    Token expect(Kind kind, String expected) {
        if (!peek().is(kind)) {
            throw fail(peek(), expected);
        }
        return take();
    }

    Token expectWord(String word) {
        if (!peek().isWord(word)) {
            throw fail(peek(), "'" + word + "'");
        }
        return take();
    }

    At<String> name(String what) {
        Token t = peek();
        if (!t.is(Kind.WORD) && !t.is(Kind.STRING)) {
            throw fail(t, what + " (a word or a quoted string)");
        }
        take();
        return new At<>(t.string(), Pos.of(t));
    }

    String string(String what) {
        return expect(Kind.STRING, what + " (a quoted string)").string();
    }

    long number(String what) {
        return expect(Kind.NUMBER, what).number();
    }

    private void endOfLine() {
        Token t = peek();
        if (t.is(Kind.NEWLINE)) {
            take();
        } else if (!t.is(Kind.EOF)) {
            throw fail(t, "end of line");
        }
    }

    private void skipNewlines() {
        while (peek().is(Kind.NEWLINE)) {
            take();
        }
    }

    /** Skips the rest of the current line after an error. */
    private void recover() {
        while (!peek().is(Kind.NEWLINE) && !peek().is(Kind.EOF)) {
            take();
        }
        skipNewlines();
    }

    /** @return the comments on lines before {@code line} not yet attached to anything */
    private List<String> commentsBefore(int line) {
        List<String> out = new ArrayList<>();
        while (commentsTaken < comments.size() && comments.get(commentsTaken).line() < line) {
            out.add(comments.get(commentsTaken++).text());
        }
        return out;
    }

    void duplicate(Token at, String clause, Pos first) {
        throw fail(at, "one '" + clause + "' (the first is at line " + first.line() + ")");
    }

    private PolicyNode document() {
        skipNewlines();
        Token start = peek();
        if (!start.isWord("policy")) {
            fail(start, "'policy'");
            return null;
        }
        take();
        PolicyNode p = new PolicyNode();
        p.pos = Pos.of(start);
        p.comments.addAll(commentsBefore(start.line()));
        try {
            p.name = name("a policy name");
            expect(Kind.LBRACE, "'{'");
            endOfLine();
        } catch (ClauseFailed e) {
            recover();
        }
        while (!errors.full()) {
            skipNewlines();
            Token t = peek();
            if (t.is(Kind.RBRACE)) {
                take();
                break;
            }
            if (t.is(Kind.EOF)) {
                errors.add(t, "expected '}' closing the policy opened at line " + p.pos.line() + ", found end of file");
                return p;
            }
            try {
                policyClause(p, t);
            } catch (ClauseFailed e) {
                recover();
            }
        }
        skipNewlines();
        if (!peek().is(Kind.EOF) && !errors.full()) {
            fail(peek(), "end of file after the policy's closing '}'");
        }
        List<String> trailing = commentsBefore(Integer.MAX_VALUE);
        if (!p.rules.isEmpty()) {
            p.rules.get(p.rules.size() - 1).comments.addAll(trailing);
        }
        return p;
    }

    private void policyClause(PolicyNode p, Token t) {
        if (!t.is(Kind.WORD)) {
            throw fail(t, "a policy clause (version, error-type, source, shadow, rule, raise, lift) or '}'");
        }
        switch (t.text()) {
            case "version":
                if (p.version != null) {
                    duplicate(t, "version", p.version.pos());
                }
                take();
                p.version = name("a version");
                break;
            case "error-type":
                if (p.errorType != null) {
                    duplicate(t, "error-type", p.errorType.pos());
                }
                take();
                p.errorType = new At<>(string("an error type"), Pos.of(t));
                break;
            case "source":
                p.sources.add(source());
                break;
            case "shadow":
                take();
                p.shadow = Pos.of(t);
                break;
            case "rule":
                p.rules.add(rule());
                return;
            case "raise":
            case "lift":
                p.overrides.add(override());
                break;
            default:
                throw fail(t, "a policy clause (version, error-type, source, shadow, rule, raise, lift) or '}'");
        }
        endOfLine();
    }

    SourceNode source() {
        Token t = take();
        String document = string("a source document");
        expectWord("row");
        return new SourceNode(Pos.of(t), document, name("a checklist row id").value());
    }

    private OverrideNode override() {
        Token t = take();
        boolean raise = t.text().equals("raise");
        At<String> rule = name("a rule name");
        long permits = 0;
        if (raise) {
            expectWord("to");
            permits = number("the raised permits (a number)");
        }
        List<String> key = new ArrayList<>();
        if (peek().isWord("for")) {
            take();
            key.add(string("a key value"));
            while (peek().is(Kind.COMMA)) {
                take();
                key.add(string("a key value"));
            }
        }
        return new OverrideNode(Pos.of(t), raise, rule, permits, key);
    }

    private RuleNode rule() {
        Token start = take();
        RuleNode r = new RuleNode();
        r.pos = Pos.of(start);
        r.comments.addAll(commentsBefore(start.line()));
        try {
            r.name = name("a rule name");
            expect(Kind.LBRACE, "'{'");
            endOfLine();
        } catch (ClauseFailed e) {
            while (!peek().is(Kind.LBRACE) && !peek().is(Kind.NEWLINE) && !peek().is(Kind.EOF)) {
                take();
            }
            if (!peek().is(Kind.LBRACE)) {
                recover();
                return r;
            }
            take();
            recover();
        }
        while (!errors.full()) {
            skipNewlines();
            Token t = peek();
            if (t.is(Kind.RBRACE)) {
                take();
                r.comments.addAll(commentsBefore(t.line() + 1));
                try {
                    endOfLine();
                } catch (ClauseFailed e) {
                    recover();
                }
                return r;
            }
            if (t.is(Kind.EOF) || t.isWord("rule")) {
                errors.add(t, "expected '}' closing rule " + (r.name == null ? "" : "'" + r.name.value() + "' ")
                        + "(opened at line " + r.pos.line() + "), found " + t.describe());
                break;
            }
            try {
                new RuleClauseParser(this).clause(r, t);
                endOfLine();
            } catch (ClauseFailed e) {
                recover();
            }
        }
        r.comments.addAll(commentsBefore(peek().line()));
        return r;
    }
}
