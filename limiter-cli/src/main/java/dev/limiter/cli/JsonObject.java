package dev.limiter.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flat JSON objects of a JSON-lines trace: string and number members, and one level of
 * nested object of strings ({@code headers}); enough for traces, not a general JSON parser.
 */
final class JsonObject {
    private final Map<String, Object> members;

    private JsonObject(Map<String, Object> members) {
        this.members = members;
    }

    static JsonObject parse(String text) {
        int[] pos = {0};
        JsonObject o = new JsonObject(object(text, pos, true));
        skip(text, pos);
        if (pos[0] != text.length()) {
            throw new IllegalArgumentException("expected end of line after the object, found '" + text.substring(pos[0]) + "'");
        }
        return o;
    }

    String string(String name) {
        Object v = members.get(name);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("expected a string member \"" + name + "\"");
        }
        return (String) v;
    }

    String number(String name) {
        Object v = members.get(name);
        if (!(v instanceof Double)) {
            throw new IllegalArgumentException("expected a number member \"" + name + "\"");
        }
        return v.toString();
    }

    @SuppressWarnings("unchecked")
    Map<String, String> object(String name) {
        Object v = members.get(name);
        return v instanceof Map ? (Map<String, String>) v : Map.of();
    }

    private static void skip(String s, int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    private static void expect(String s, int[] pos, char c) {
        skip(s, pos);
        if (pos[0] >= s.length() || s.charAt(pos[0]) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at column " + (pos[0] + 1) + ", found "
                    + (pos[0] >= s.length() ? "end of line" : "'" + s.charAt(pos[0]) + "'"));
        }
        pos[0]++;
    }

    private static Map<String, Object> object(String s, int[] pos, boolean nested) {
        Map<String, Object> m = new LinkedHashMap<>();
        expect(s, pos, '{');
        skip(s, pos);
        if (pos[0] < s.length() && s.charAt(pos[0]) == '}') {
            pos[0]++;
            return m;
        }
        while (true) {
            skip(s, pos);
            String key = string(s, pos);
            expect(s, pos, ':');
            skip(s, pos);
            char c = pos[0] < s.length() ? s.charAt(pos[0]) : ' ';
            if (c == '"') {
                m.put(key, string(s, pos));
            } else if (c == '{' && nested) {
                m.put(key, object(s, pos, false));
            } else {
                int start = pos[0];
                while (pos[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos[0])) >= 0) {
                    pos[0]++;
                }
                try {
                    m.put(key, Double.parseDouble(s.substring(start, pos[0])));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a string or number at column " + (start + 1), e);
                }
            }
            skip(s, pos);
            if (pos[0] < s.length() && s.charAt(pos[0]) == ',') {
                pos[0]++;
                continue;
            }
            expect(s, pos, '}');
            return m;
        }
    }

    private static String string(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder sb = new StringBuilder();
        while (pos[0] < s.length()) {
            char c = s.charAt(pos[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\' && pos[0] < s.length()) {
                char e = s.charAt(pos[0]++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos[0] + 4 > s.length()) {
                            throw new IllegalArgumentException("expected four hex digits after \\u");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
                        pos[0] += 4;
                        break;
                    default: sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException("expected a closing '\"', found end of line");
    }
}
