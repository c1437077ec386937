package org.modutils.insmod.tools;

import java.nio.charset.StandardCharsets;

/**
 * The little JSON the tools' {@code --json} writes (schema in docs/json.md). Strings that hold
 * module bytes (ISO-8859-1, one char per byte) are decoded as UTF-8 first, so a UTF-8 author
 * name comes out as itself; invalid bytes become U+FFFD.
 */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean first = true;

    Json begin(char open) {
        comma();
        sb.append(open);
        first = true;
        return this;
    }

    Json end(char close) {
        sb.append(close);
        first = false;
        return this;
    }

    Json key(String k) {
        comma();
        sb.append(quoted(k)).append(':');
        first = true; // the value that follows needs no comma
        return this;
    }

    Json value(String bytes) {
        return bytes == null ? raw("null")
                : raw(quoted(new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)));
    }

    Json value(long n) {
        return raw(Long.toString(n));
    }

    Json value(boolean b) {
        return raw(Boolean.toString(b));
    }

    Json field(String k, String bytes) {
        return key(k).value(bytes);
    }

    private Json raw(String text) {
        comma();
        sb.append(text);
        first = false;
        return this;
    }

    private void comma() {
        if (!first) sb.append(',');
        first = false;
    }

    private static String quoted(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': q.append("\\\""); break;
                case '\\': q.append("\\\\"); break;
                case '\n': q.append("\\n"); break;
                case '\t': q.append("\\t"); break;
                case '\r': q.append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7f) q.append(String.format("\\u%04x", (int) c));
                    else q.append(c);
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
