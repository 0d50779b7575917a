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
        while (i + 1 < key.length()) {
            int tag = key.charAt(i++);
            int n = key.charAt(i++);
            if (tag == 0) {
                // A shared bucket: a zero length, then the bucket's name with its own length.
                n = i < key.length() ? key.charAt(i++) : 0;
            }
            int end = Math.min(key.length(), i + n);
            String value = "\"" + key.subSequence(i, end) + "\"";
            parts.add(tag == 0 ? "shared bucket " + value : tag == 1 ? value : value + " (" + via(tag) + ")");
            i = end;
        }
        return parts;
    }

    /** @return which alternative of a key part a tag names: {@code 2t} the fallback, {@code 2t+1} the substitute of {@code t} */
    private static String via(int tag) {
        StringBuilder sb = new StringBuilder();
        for (int t = tag; t > 1; t /= 2) {
            sb.insert(0, t % 2 == 0 ? "fallback " : "substitute ");
        }
        return "its " + sb.toString().trim().replace(" ", " of the ");
    }
}
