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
        str(k);
        sb.append(':');
        first = true; // the value that follows needs no comma
        return this;
    }

    Json value(String bytes) {
        comma();
        if (bytes == null) sb.append("null");
        else str(new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        first = false;
        return this;
    }

    Json value(long n) {
        comma();
        sb.append(n);
        first = false;
        return this;
    }

    Json value(boolean b) {
        comma();
        sb.append(b);
        first = false;
        return this;
    }

    Json field(String k, String bytes) {
        return key(k).value(bytes);
    }

    private void comma() {
        if (!first) sb.append(',');
        first = false;
    }

    private void str(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\t': sb.append("\\t"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
