package org.modutils.insmod.modmap;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A copy of the target's {@code /proc/kallsyms} ("address type name", a module's symbols with
 * "\t[module]"), as the symbols a module's undefined references resolve to. Where a name occurs
 * more than once, a global (upper-case) one wins over a local one, then the first.
 */
public final class KallsymsTable {
    private KallsymsTable() {}

    public static Map<String, Long> parse(String fileName, byte[] text) throws MapException {
        Map<String, Long> out = new HashMap<>();
        Map<String, Boolean> global = new HashMap<>();
        int lineNo = 0;
        for (String line : new String(text, StandardCharsets.ISO_8859_1).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("[ \t]+");
            if (f.length < 3 || f[1].length() != 1 || !f[0].matches("[0-9a-fA-F]{1,16}")) {
                throw new MapException(fileName + ":" + lineNo + ": not a /proc/kallsyms line (address type name)");
            }
            long value = Long.parseUnsignedLong(f[0], 16);
            boolean g = Character.isUpperCase(f[1].charAt(0));
            Boolean had = global.get(f[2]);
            if (had == null || (g && !had)) {
                out.put(f[2], value);
                global.put(f[2], g);
            }
        }
        if (out.isEmpty()) {
            throw new MapException(fileName + ": no symbols (expected a copy of /proc/kallsyms)");
        }
        return out;
    }
}
