package org.modutils.insmod.config;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Logical lines of a modules.conf, as the original's {@code fgets_strip}: trailing blanks
 * go, everything from {@code #} on is a comment, a line whose last character is a single
 * {@code \} continues on the next one (whose leading blanks shrink to one space), and a
 * trailing {@code \\} stands for a literal backslash.
 */
public final class ConfigLines {
    private final BufferedReader in;
    private int lineno;

    public ConfigLines(BufferedReader in) {
        this.in = in;
    }

    /** Physical line number of the last line read. */
    public int lineno() {
        return lineno;
    }

    /** The next logical line, or null at end of file. */
    public String next() throws IOException {
        StringBuilder out = null;
        boolean cont = false;
        String raw;
        while ((raw = in.readLine()) != null) {
            lineno++;
            String line = stripEnd(raw);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = stripEnd(line.substring(0, hash));
            }
            if (out == null) {
                out = new StringBuilder();
            }
            if (cont) {
                int ws = 0;
                while (ws < line.length() && Character.isWhitespace(line.charAt(ws))) {
                    ws++;
                }
                if (ws > 0) {
                    line = " " + line.substring(ws);
                }
            }
            if (line.endsWith("\\")) {
                if (line.length() == 1 || line.charAt(line.length() - 2) != '\\') {
                    out.append(line, 0, line.length() - 1);
                    cont = true;
                    continue;
                }
                out.append(line, 0, line.length() - 1);
                break;
            }
            out.append(line);
            break;
        }
        return out == null ? null : out.toString();
    }

    private static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
