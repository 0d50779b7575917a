package dev.limiter.cli;

import dev.limiter.policy.Request;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The header, attribute and client-address options that describe a request, shared by explain and simulate. */
final class RequestOptions {
    @Option(names = {"-H", "--header"}, paramLabel = "NAME:VALUE", description = "a request header, repeatable")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-A", "--attribute"}, paramLabel = "NAME=VALUE",
            description = "a gateway attribute (such as application=app-1), repeatable")
    List<String> attributes = new ArrayList<>();

    @Option(names = "--client-address", paramLabel = "ADDRESS", description = "the client's address")
    String clientAddress;

    /** @return a request for {@code method} and {@code path} with these options, {@code {key}} replaced by {@code key} */
    Request build(String method, String path, String key) {
        Request.Builder b = Request.of(method, path.replace("{key}", key));
        for (String h : headers) {
            int i = h.indexOf(':');
            if (i <= 0) {
                throw new IllegalArgumentException("header '" + h + "': expected NAME:VALUE");
            }
            b.header(h.substring(0, i).trim(), h.substring(i + 1).trim().replace("{key}", key));
        }
        for (String a : attributes) {
            int i = a.indexOf('=');
            if (i <= 0) {
                throw new IllegalArgumentException("attribute '" + a + "': expected NAME=VALUE");
            }
            b.attribute(a.substring(0, i).trim(), a.substring(i + 1).trim().replace("{key}", key));
        }
        if (clientAddress != null) {
            b.clientAddress(clientAddress.replace("{key}", key));
        }
        return b.build();
    }

    /** @return the parts of a rule's key as the matcher encodes them (each part's length, then its characters) */
    static List<String> keyParts(CharSequence key) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < key.length()) {
            int n = key.charAt(i++);
            int end = Math.min(key.length(), i + n);
            parts.add(key.subSequence(i, end).toString());
            i = end;
        }
        return parts;
    }
}
