package org.modutils.insmod.modmap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of the target's {@code /proc/kallsyms} ("address type name", a module's symbols with
 * "\t[module]"), whole or only a module's lines: the symbols a module's undefined references
 * resolve to, and where the module's own per-cpu symbols lie.
 */
public final class KallsymsTable {
    private KallsymsTable() {}

    /** One line: {@code module} is the name in brackets, null for the kernel's own symbols. */
    public record Line(long address, char type, String name, String module) {}

    /** Every line of {@code text}, checked. */
    public static List<Line> lines(String fileName, byte[] text) throws MapException {
        List<Line> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : new String(text, StandardCharsets.ISO_8859_1).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("[ \t]+");
            if (f.length < 3 || f.length > 4 || f[1].length() != 1 || !f[0].matches("[0-9a-fA-F]{1,16}")
                    || (f.length > 3 && !f[3].matches("\\[[^\\]]+\\]"))) {
                throw new MapException(fileName + ":" + lineNo + ": not a /proc/kallsyms line (address type name)");
            }
            String module = f.length > 3 ? f[3].substring(1, f[3].length() - 1) : null;
            out.add(new Line(Long.parseUnsignedLong(f[0], 16), f[1].charAt(0), f[2], module));
        }
        if (out.isEmpty()) {
            throw new MapException(fileName + ": no symbols (expected a copy of /proc/kallsyms)");
        }
        return out;
    }

    /**
     * The symbols a module's undefined references resolve to: where a name occurs more than
     * once, a global (upper-case) one wins over a local one, then the first.
     */
    public static Map<String, Long> parse(String fileName, byte[] text) throws MapException {
        return symbols(lines(fileName, text));
    }

    public static Map<String, Long> symbols(List<Line> lines) {
        Map<String, Long> out = new HashMap<>();
        Map<String, Boolean> global = new HashMap<>();
        for (Line l : lines) {
            boolean g = Character.isUpperCase(l.type());
            Boolean had = global.get(l.name());
            if (had == null || (g && !had)) {
                out.put(l.name(), l.address());
                global.put(l.name(), g);
            }
        }
        return out;
    }
}
