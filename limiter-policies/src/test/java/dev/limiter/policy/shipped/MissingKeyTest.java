package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.Policy;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.Rule;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped rule's behaviour when a request lacks what the rule is keyed by: refused (with
 * the rule's status and message, nothing counted), or, where the key cannot be missing (a path
 * variable, a shared bucket), still limited under the path's own key. The table must name every
 * rule of every shipped policy.
 */
class MissingKeyTest {
    private static final String V3_KEY = NylasV3.NO_KEY_MESSAGE;
    private static final String DEVELOPER = "The request's developer (application) is not known";
    private static final String USER = "the 'user' attribute (the mailbox owner) is not set";

    /** A shipped rule, a request that matches it without its key, and what must happen. */
    private static final class Case {
        final Policy policy;
        final String rule;
        final RequestView request;
        final int status;
        final String message;

        Case(Policy policy, String rule, RequestView request, int status, String message) {
            this.policy = policy;
            this.rule = rule;
            this.request = request;
            this.status = status;
            this.message = message;
        }
    }

    private static Case refused(Policy p, String rule, String method, String path, int status, String message) {
        return new Case(p, rule, Request.of(method, path).build(), status, message);
    }

    /** The rule's key comes from the path (or is shared on purpose): a bare request is limited, never refused. */
    private static Case keyedByPath(Policy p, String rule, RequestView request) {
        return new Case(p, rule, request, 0, null);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (Policy p : List.of(ContextIoLite.policy(), ContextIo.policy())) {
            c.add(refused(p, "cio-api", "GET", "/lite/users/u1/email_accounts", 401, DEVELOPER));
            c.add(refused(p, "cio-users", "GET", "/lite/users/u1", 401, DEVELOPER));
            c.add(keyedByPath(p, "cio-imap", Request.of("GET", "/lite/users/u1/email_accounts/a/folders")
                    .attribute(Attributes.APPLICATION, "dev-1").build()));
        }
        for (Policy p : List.of(ContextIo2.policy(), ContextIo.policy())) {
            String api = p.name().equals("context-io") ? "cio-api" : "cio2-api";
            c.add(refused(p, api, "GET", "/2.0/accounts/a1/messages", 401, DEVELOPER));
            c.add(keyedByPath(p, "cio2-imap", Request.of("GET", "/2.0/accounts/a1/messages/m1/body")
                    .attribute(Attributes.APPLICATION, "dev-1").build()));
        }
        Policy v3 = NylasV3.policy();
        c.add(refused(v3, "nylas3-applications", "GET", "/v3/applications", 401, V3_KEY));
        c.add(refused(v3, "nylas3-authentication", "POST", "/v3/connect/token", 401,
                V3_KEY + ", or a client_id query parameter"));
        c.add(refused(v3, "nylas3-connectors", "GET", "/v3/connectors/google", 401, V3_KEY));
        c.add(refused(v3, "nylas3-grants", "GET", "/v3/grants", 401, V3_KEY));
        c.add(refused(v3, "nylas3-webhooks", "GET", "/v3/webhooks", 401, V3_KEY));
        c.add(refused(v3, "nylas3-application-endpoints", "POST", "/v3/calendars/availability", 401, V3_KEY));
        c.add(refused(v3, "nylas3-email", "GET", "/v3/grants/me/messages", 401, V3_KEY));
        c.add(refused(v3, "nylas3-calendar", "GET", "/v3/grants/me/events", 401, V3_KEY));
        c.add(refused(v3, "nylas3-contacts", "GET", "/v3/grants/me/contacts", 401, V3_KEY));
        c.add(refused(v3, "nylas3-grant-endpoints", "GET", "/v3/grants/me/resources", 401, V3_KEY));
        c.add(new Case(v3, "nylas3-send-json", Request.of("POST", "/v3/grants/me/messages/send")
                .header("Content-Type", "application/json").build(), 401, V3_KEY));
        c.add(new Case(v3, "nylas3-send-multipart", Request.of("POST", "/v3/grants/me/messages/send")
                .header("Content-Type", "multipart/form-data").build(), 401, V3_KEY));
        for (String rule : List.of("nylas3-email", "nylas3-calendar", "nylas3-contacts", "nylas3-grant-endpoints")) {
            String path = rule.equals("nylas3-email") ? "/v3/grants/g1/threads" : rule.equals("nylas3-calendar")
                    ? "/v3/grants/g1/events" : rule.equals("nylas3-contacts") ? "/v3/grants/g1/contacts"
                    : "/v3/grants/g1/resources";
            c.add(keyedByPath(v3, rule, Request.of("GET", path).build()));
        }
        Policy v2 = NylasV2.policy();
        c.add(new Case(v2, "nylas2-application", Request.of("GET", "/messages/m1").header("Authorization", "Bearer t")
                .build(), 401, NylasV2.NO_APPLICATION_MESSAGE));
        c.add(new Case(v2, "nylas2-account", Request.of("GET", "/messages/m1")
                .attribute(Attributes.APPLICATION, "app").build(), 401, NylasV2.NO_TOKEN_MESSAGE));
        c.add(refused(v2, "nylas2-delta-streaming", "GET", "/delta/streaming", 401, NylasV2.NO_TOKEN_MESSAGE));
        c.add(refused(v2, "nylas2-delta-longpoll", "GET", "/delta/longpoll", 401, NylasV2.NO_TOKEN_MESSAGE));
        c.add(refused(v2, "nylas2-query", "GET", "/threads", 401, NylasV2.NO_TOKEN_MESSAGE));
        c.add(keyedByPath(v2, "nylas2-ip-addresses", Request.of("GET", "/a/client-1/ip_addresses").build()));
        for (Policy p : List.of(UpstreamProviders.google(), UpstreamProviders.googleCurrent())) {
            String quota = p.version().equals(UpstreamProviders.VERSION) ? "gmail-api" : "gmail-api-user";
            c.add(refused(p, quota, "GET", "/gmail/v1/users/me/labels", 400, USER));
            c.add(refused(p, "google-sending", "POST", UpstreamProviders.SMTP_SEND, 400, USER));
        }
        c.add(refused(UpstreamProviders.microsoft(), "office365-sending", "POST", UpstreamProviders.SMTP_SEND, 400, USER));
        c.add(refused(UpstreamProviders.microsoft(), "graph-api", "GET", "/v1.0/me/messages", 400, USER));
        c.add(refused(UpstreamProviders.icloud(), "icloud-sending", "POST", UpstreamProviders.SMTP_SEND, 400, USER));
        c.add(keyedByPath(UpstreamProviders.googleCurrent(), "gmail-api-project", Request.of("GET",
                "/gmail/v1/users/me/labels").attribute(Attributes.USER, "alice").build()));
        return c;
    }

    @Test
    void everyShippedRuleHasAMissingKeyCase() {
        TreeSet<String> all = new TreeSet<>();
        for (Policy p : ChecklistCoverageTest.SHIPPED) {
            for (Rule r : p.rules()) {
                all.add(p.name() + " " + p.version() + " " + r.name());
            }
        }
        for (Case c : cases()) {
            all.remove(c.policy.name() + " " + c.policy.version() + " " + c.rule);
        }
        assertTrue(all.isEmpty(), () -> "rules without a missing-key case: " + all);
    }

    @Test
    void eachRuleDoesWhatItChoseForAMissingKey() {
        for (Case c : cases()) {
            try (PolicyGate gate = Engines.REFERENCE.gate(c.policy, new ManualClock())) {
                Verdict v = gate.evaluate(c.request, 0);
                String what = c.policy.name() + " " + c.rule + ": " + c.request;
                if (c.status == 0) {
                    assertFalse(v.refused(), what);
                    boolean applied = false;
                    for (int i = 0; i < v.ruleCount(); i++) {
                        applied |= v.appliedRule(i).name().equals(c.rule);
                    }
                    assertTrue(applied, () -> what + " is limited: " + v);
                    continue;
                }
                assertTrue(v.refused(), () -> what + " must be refused: " + v);
                assertEquals(c.status, v.status(), what);
                assertEquals(c.rule, alone(c).rule().name(), () -> what + ", the rule alone, refuses too");
                assertEquals(c.message, v.message(), what);
                assertEquals("{\"message\": \"" + c.message + "\", \"type\": \"" + c.policy.errorType() + "\"}",
                        v.body(), what);
                assertEquals("application/json", v.headers().get("Content-Type"), what);
                assertEquals(0, v.ruleCount(), "nothing was counted");
            }
        }
    }

    /** @return the verdict of the case's rule in a policy of its own (the full policy names the first refusing rule) */
    private static Verdict alone(Case c) {
        Policy p = c.policy;
        Policy single = Policy.named(p.name()).version(p.version()).errorType(p.errorType()).rule(p.rule(c.rule)).build();
        try (PolicyGate gate = Engines.REFERENCE.gate(single, new ManualClock())) {
            Verdict v = gate.evaluate(c.request, 0);
            assertTrue(v.refused(), () -> c.rule + " alone: " + v);
            assertEquals(c.status, v.status());
            assertEquals(c.message, v.message());
            return v;
        }
    }

    @Test
    void aRefusedRequestConsumesNothingInTheRulesThatCouldKeyIt() {
        try (PolicyGate gate = Engines.REFERENCE.gate(NylasV2.policy(), new ManualClock())) {
            RequestView noToken = Request.of("GET", "/messages/m1").attribute(Attributes.APPLICATION, "app").build();
            for (int i = 0; i < 1_000; i++) {
                assertEquals(401, gate.evaluate(noToken, 0).status());
            }
            RequestView keyed = Request.of("GET", "/messages/m1").attribute(Attributes.APPLICATION, "app")
                    .header("Authorization", "Bearer t").build();
            Boundary.admit(gate, new ManualClock(), keyed, 50);
            Verdict v = gate.evaluate(keyed, 0);
            assertNotEquals(401, v.status());
            assertEquals("nylas2-account", v.rule().name(), "the application's 500 were untouched by the refusals");
        }
    }
}
