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
                + "    key      {grant_id} = \"g-42\"\n"
                + "    limit    fixed-window 10 per 1s\n"
                + "    cost     1\n"
                + "    message  Too many requests\n"
                + "    override raisable\n"
                + "    sources  [nylas3-send-multipart@001_0255217927bc240f.txt]\n", r.out());
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
        assertTrue(r.out().contains("key      attribute application = \"dev-7\""), r.out());
        assertTrue(r.out().contains("member   {id} = \"u1\""), r.out());
    }

    @Test
    void aRequestNoRuleMatchesSaysSo() {
        Run r = Run.of("explain", "--policy", "shipped:nylas-v3", "GET", "/v2/other");
        assertEquals("GET /v2/other: 0 rules of policy nylas-v3 2024-06 apply\n", r.out());
    }
}
