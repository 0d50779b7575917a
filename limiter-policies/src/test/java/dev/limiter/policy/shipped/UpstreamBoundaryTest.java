package dev.limiter.policy.shipped;

import dev.limiter.ManualClock;
import dev.limiter.policy.MatchResult;
import dev.limiter.policy.PolicyGate;
import dev.limiter.policy.Request;
import dev.limiter.policy.RequestView;
import dev.limiter.policy.RouteMatcher;
import dev.limiter.policy.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamBoundaryTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long DAY = 86_400 * SECOND;
    private final ManualClock clock = new ManualClock();
    private PolicyGate gate;

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static RequestView call(String method, String path) {
        return Request.of(method, path).attribute(Attributes.USER, "alice@example.com").build();
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("gmail-api")
    void gmailTwoHundredFiftyUnitsPerSecondWeightedByMethod(Engines engine) {
        gate = engine.gate(UpstreamProviders.google(), clock);
        // messages.get costs 5 units: 50 fit in 250.
        Boundary.windowBoundary(gate, clock, call("GET", "/gmail/v1/users/me/messages/m1"), 50, "gmail-api",
                "Gmail API quota: 250 units per user per second", SECOND);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    void anApiSendCountsAgainstTheQuotaAndTheSendingLimitTogether(Engines engine) {
        gate = engine.gate(UpstreamProviders.google(), clock);
        Verdict send = gate.evaluate(call("POST", "/gmail/v1/users/me/messages/send"), 0);
        assertTrue(send.allowed());
        assertEquals(2, send.ruleCount());
        assertTrue(gate.evaluate(call("POST", "/gmail/v1/users/me/messages/send"), 0).allowed());
        Verdict third = gate.evaluate(call("POST", "/gmail/v1/users/me/messages/send"), 0);
        assertEquals("gmail-api", third.rule().name(), "300 units exceed 250");
        // The quota denial took nothing from the daily sending limit: 1,998 SMTP sends still fit.
        Boundary.admit(gate, clock, call("POST", UpstreamProviders.SMTP_SEND), 1_998);
        assertEquals("google-sending", gate.evaluate(call("POST", UpstreamProviders.SMTP_SEND), 0).rule().name());

        gate.close();
        gate = engine.gate(UpstreamProviders.microsoft(), clock);
        Verdict mail = gate.evaluate(call("POST", "/v1.0/me/sendMail"), 0);
        assertEquals(2, mail.ruleCount(), "a Graph send is a Graph request and an Office 365 message");
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    void gmailCurrentQuotasPerUserAndPerProjectPerMinute(Engines engine) {
        gate = engine.gate(UpstreamProviders.googleCurrent(), clock);
        // messages.get costs 5: a user's 15,000 units a minute are 3,000 reads.
        Boundary.admit(gate, clock, call("GET", "/gmail/v1/users/me/messages/m1"), 3_000);
        Verdict user = gate.evaluate(call("GET", "/gmail/v1/users/me/messages/m1"), clock.nanoTime());
        assertEquals("gmail-api-user", user.rule().name());
        // The project's 1,200,000 units are 240,000 reads: 79 more users at 3,000 each.
        for (int u = 1; u < 80; u++) {
            Boundary.admit(gate, clock, Request.of("GET", "/gmail/v1/users/me/messages/m1")
                    .attribute(Attributes.USER, "user-" + u).build(), 3_000);
        }
        Verdict project = gate.evaluate(Request.of("GET", "/gmail/v1/users/me/profile")
                .attribute(Attributes.USER, "user-80").build(), clock.nanoTime());
        assertEquals("gmail-api-project", project.rule().name());
        assertEquals("Gmail API quota: 1,200,000 units per project per minute", project.message());
        assertEquals(UpstreamProviders.CURRENT_GOOGLE_VERSION, gate.policy().version());
    }

    @Test
    void gmailCostTable() {
        RouteMatcher m = RouteMatcher.compile(UpstreamProviders.google());
        MatchResult r = m.newResult();
        String u = "/gmail/v1/users/me";
        Object[][] table = {
            {"POST", u + "/messages/send", 100}, {"POST", u + "/drafts/send", 100}, {"GET", u + "/messages/m", 5},
            {"GET", u + "/messages", 5}, {"POST", u + "/messages/m/modify", 5}, {"POST", u + "/messages/m/trash", 5},
            {"GET", u + "/messages/m/attachments/a", 5}, {"POST", u + "/messages", 25},
            {"POST", u + "/messages/import", 25}, {"DELETE", u + "/messages/m", 10},
            {"POST", u + "/messages/batchDelete", 50}, {"POST", u + "/messages/batchModify", 50},
            {"POST", u + "/drafts", 10}, {"PUT", u + "/drafts/d", 15}, {"GET", u + "/drafts/d", 5},
            {"GET", u + "/drafts", 5}, {"GET", u + "/history", 2}, {"GET", u + "/labels/l", 1},
            {"GET", u + "/labels", 1}, {"POST", u + "/labels", 5}, {"GET", u + "/profile", 1},
        };
        for (Object[] row : table) {
            m.match(call((String) row[0], (String) row[1]), r);
            assertEquals("gmail-api", r.rule(0).name(), () -> row[0] + " " + row[1]);
            assertEquals(((Integer) row[2]).longValue(), r.cost(0), () -> row[0] + " " + row[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("google-sending")
    void googleWorkspaceTwoThousandMessagesPerDay(Engines engine) {
        gate = engine.gate(UpstreamProviders.google(), clock);
        Boundary.windowBoundary(gate, clock, call("POST", UpstreamProviders.SMTP_SEND), 2_000, "google-sending",
                "Google Workspace sending limit: 2,000 messages per user per day", DAY);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("office365-sending")
    void office365ThirtyMessagesPerMinute(Engines engine) {
        gate = engine.gate(UpstreamProviders.microsoft(), clock);
        Boundary.windowBoundary(gate, clock, call("POST", UpstreamProviders.SMTP_SEND), 30, "office365-sending",
                "Office 365 sending limit: 30 messages per user per minute", 60 * SECOND);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("graph-api")
    void graphTenThousandRequestsPerTenMinutes(Engines engine) {
        gate = engine.gate(UpstreamProviders.microsoft(), clock);
        Boundary.windowBoundary(gate, clock, call("GET", "/v1.0/me/messages"), 10_000, "graph-api",
                "Microsoft Graph limit: 10,000 requests per user per 10 minutes", 600 * SECOND);
    }

    @ParameterizedTest
    @EnumSource(Engines.class)
    @CoversRow("icloud-sending")
    void icloudOneThousandMessagesPerDay(Engines engine) {
        gate = engine.gate(UpstreamProviders.icloud(), clock);
        Boundary.windowBoundary(gate, clock, call("POST", UpstreamProviders.SMTP_SEND), 1_000, "icloud-sending",
                "iCloud sending limit: 1,000 messages per user per day", DAY);
    }
}
