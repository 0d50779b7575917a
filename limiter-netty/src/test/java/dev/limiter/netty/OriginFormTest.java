package dev.limiter.netty;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Origin-form targets reach the gate as received; absolute-form ones lose only scheme and authority. */
class OriginFormTest {
    @Test
    void originFormIsKeptAsIsEvenWithTwoSlashes() {
        String t = "//v3/grants/g1?x=%2F";
        assertSame(t, NettyRequestView.originForm(t));
        assertSame("/a", NettyRequestView.originForm("/a"));
        assertSame("*", NettyRequestView.originForm("*"));
    }

    @Test
    void absoluteFormLosesSchemeAndAuthority() {
        assertEquals("/v3/grants/g1?x=1", NettyRequestView.originForm("http://example.com:8080/v3/grants/g1?x=1"));
        assertEquals("//a", NettyRequestView.originForm("https://h//a"));
        assertEquals("/", NettyRequestView.originForm("http://h"));
        assertEquals("/?q=1", NettyRequestView.originForm("http://h?q=1"));
    }
}
