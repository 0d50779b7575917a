package dev.limiter.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code explain}: the applying rules of one request, with route, key, limit and cost. */
class ExplainCommandTest {
    @Test
    void aMultipartSendNamesTheTenPerSecondPerGrantRule() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "POST", "/v3/grants/g-42/messages/send",
                "-H", "Content-Type: multipart/form-data; boundary=x");
        assertEquals(0, r.exit(), r.err());
        assertEquals("POST /v3/grants/g-42/messages/send: 1 rule of policy nylas-v3 2024-06 applies\n\n"
                + "  nylas3-send-multipart (group api-type)\n"
                + "    route    POST /v3/grants/{grant_id}/messages/send\n"
                + "    key      {grant_id} substitute \"me\" with (header Authorization or-refuse 401 \"An API key or"
                + " access token (Authorization: Bearer ...) is required\") = \"g-42\"\n"
                + "    limit    fixed-window 10 per 1s\n"
                + "    cost     1\n"
                + "    message  Too many requests\n"
                + "    override raisable\n"
                + "    sources  [nylas3-send-multipart@001_0255217927bc240f.txt]\n\n"
                + "matched but dropped:\n"
                + "  nylas3-email: rule nylas3-send-multipart of group api-type matched more specifically\n"
                + "  nylas3-send-json: a condition does not hold (when [header Content-Type media type application/json])\n"
                + "  nylas3-grant-endpoints: catch-all displaced by regular rule nylas3-send-multipart\n"
                + "  nylas3-application-endpoints: catch-all displaced by regular rule nylas3-send-multipart\n", r.out());
    }

    @Test
    void aCatchAllAppliesWhereNoRegularRuleDoesAndSaysWhichValueKeyedIt() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v3/grants/me/other", "-H",
                "Authorization: Bearer k");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\n  nylas3-grant-endpoints (group api-type) catch-all\n"), r.out());
        assertTrue(r.out().contains(" = \"bearer k\" (its substitute)\n"), r.out());
        assertTrue(r.out().endsWith("matched but dropped:\n  nylas3-application-endpoints: rule nylas3-grant-endpoints"
                + " of group api-type matched more specifically\n"), r.out());
        Run auth = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v3/connect/auth?client_id=abc");
        assertTrue(auth.out().contains(" = \"abc\" (its fallback)\n"), auth.out());
    }

    @Test
    void aMissingKeyIsARefusalWithItsStatusAndMessage() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v3/grants/me/calendars/x");
        assertEquals(0, r.exit(), r.err());
        assertEquals("GET /v3/grants/me/calendars/x: 0 rules of policy nylas-v3 2024-06 apply\n\n"
                + "refused with 401 (a key part of rule nylas3-calendar is missing): An API key or access token"
                + " (Authorization: Bearer ...) is required\n\n"
                + "matched but dropped:\n"
                + "  nylas3-calendar: refused: a key part is missing (An API key or access token (Authorization:"
                + " Bearer ...) is required)\n"
                + "  nylas3-grant-endpoints: not reached: the request was refused for a missing key of rule"
                + " nylas3-calendar\n"
                + "  nylas3-application-endpoints: not reached: the request was refused for a missing key of rule"
                + " nylas3-calendar\n", r.out());
    }

    @Test
    void anExemptRequestSaysSo() {
        Run r = Run.of("explain", "--policy", "shipped:context-io-lite", "GET", "/lite/users/u1", "-A",
                "application=dev-7", "-A", "kind=received-webhook");
        assertTrue(r.out().contains("  cio-api: the request is exempt (except ["), r.out());
    }

    @Test
    void aThreadsListingCostsTenOfTheEmailLimit() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v3/grants/g/threads");
        assertTrue(r.out().contains("  nylas3-email (group api-type)\n    route    GET /v3/grants/{grant_id}/threads cost 10\n"),
                r.out());
        assertTrue(r.out().contains("    cost     10\n"), r.out());
    }

    @Test
    void contextIoNamesBothTheApiAndTheImapRule() {
        Run r = Run.of("explain", "--policy", "shipped:context-io-lite", "GET",
                "/lite/users/u1/email_accounts/l/folders/f/messages/m/body", "-A", "application=dev-7");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("GET /lite/users/u1/email_accounts/l/folders/f/messages/m/body: 3 rules of policy"
                + " context-io-lite 2018-06 apply\n"), r.out());
        assertTrue(r.out().contains("  cio-imap\n"), r.out());
        assertTrue(r.out().contains("key      attribute application or-refuse 401 \"The request's developer"
                + " (application) is not known\" = \"dev-7\""), r.out());
        assertTrue(r.out().contains("member   {id} = \"u1\""), r.out());
    }

    @Test
    void aRequestNoRuleMatchesSaysSo() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v2/other");
        assertEquals("GET /v2/other: 0 rules of policy nylas-v3 2024-06 apply\n", r.out());
    }
}
