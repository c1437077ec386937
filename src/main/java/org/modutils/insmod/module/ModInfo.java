package org.modutils.insmod.module;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;

/** The .modinfo section as modutils reads it: NUL-separated {@code key=value} strings. */
public final class ModInfo {
    private ModInfo() {}

    /** The strings of .modinfo in order (the last one without a terminator is cut at the end). */
    public static List<String> entries(ObjFile f) {
        LinkSection sec = f.find(".modinfo");
        if (sec == null || sec.contents() == null) {
            return new ArrayList<>();
        }
        byte[] b = sec.contents();
        return entries(b, (int) Math.min(sec.size, b.length));
    }

    /** The NUL-separated strings of a .modinfo section's first {@code end} bytes. */
    public static List<String> entries(byte[] b, int end) {
        List<String> out = new ArrayList<>();
        int p = 0;
        while (p < end) {
            int n = p;
            while (n < end && b[n] != 0) {
                n++;
            }
            out.add(new String(b, p, n - p, StandardCharsets.ISO_8859_1));
            p = n + 1;
        }
        return out;
    }

    /** get_modinfo_value: the value after {@code key=}, "" for a bare {@code key}, or null. */
    public static String get(ObjFile f, String key) {
        for (String e : entries(f)) {
            int eq = e.indexOf('=');
            if (eq >= 0) {
                if (eq == key.length() && e.startsWith(key)) {
                    return e.substring(eq + 1);
                }
            } else if (e.equals(key)) {
                return "";
            }
        }
        return null;
    }

    static final String[] GPL = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MPL/GPL"};

    /** A module's license: its text (null when it has none) and whether it is GPL-compatible. */
    public record License(String text, boolean gpl) {
        public boolean missing() {
            return text == null;
        }
    }

    /**
     * obj_gpl_license. As the original, the first entry whose key is a prefix of "license" counts.
     */
    public static License license(ObjFile f) {
        if (f.find(".modinfo") == null) {
            return new License(null, false);
        }
        for (String e : entries(f)) {
            int eq = e.indexOf('=');
            if (eq >= 0 && "license".startsWith(e.substring(0, eq))) {
                String v = e.substring(eq + 1);
                for (String g : GPL) {
                    if (g.equals(v)) {
                        return new License(v, true);
                    }
                }
                return new License(v, false);
            }
        }
        return new License(null, false);
    }
}
