package dev.limiter.servlet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The joined request target reads as {@code path?query}, character by character, without being built. */
class RequestTargetTest {
    @Test
    void readsPathQuestionMarkAndQueryAsOneSequence() {
        ServletRequestView.RequestTarget t = new ServletRequestView.RequestTarget();
        t.bind("/v3/a%20b", "x=1&y=%2F");
        String expected = "/v3/a%20b?x=1&y=%2F";
        assertEquals(expected.length(), t.length());
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            read.append(t.charAt(i));
        }
        assertEquals(expected, read.toString());
        assertEquals(expected, t.toString());
        assertEquals(expected.substring(3, 12), t.subSequence(3, 12).toString());
        assertThrows(IndexOutOfBoundsException.class, () -> t.charAt(expected.length()));
        assertThrows(IndexOutOfBoundsException.class, () -> t.charAt(-1));
    }

    @Test
    void withoutAQueryItIsThePath() {
        ServletRequestView.RequestTarget t = new ServletRequestView.RequestTarget();
        t.bind("//a/b", null);
        assertEquals(5, t.length());
        assertEquals("//a/b", t.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> t.charAt(5));
        t.bind("/p", "");
        assertEquals("/p?", t.toString(), "an empty query is still a query");
        assertEquals('?', t.charAt(2));
    }
}
