package org.modutils.insmod.modern.check;

import java.util.HashMap;
import java.util.Map;

/**
 * A kernel build's Module.symvers: for each exported symbol its CRC, the module exporting it
 * ("vmlinux" for the kernel) and whether it is GPL-only. Lines are
 * {@code 0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL]<TAB>namespace}.
 */
public final class Symvers {
    /** One export. */
    public record Entry(long crc, String module, boolean gplOnly, String namespace) {}

    private final Map<String, Entry> entries;
    private final String origin;

    private Symvers(Map<String, Entry> entries, String origin) {
        this.entries = entries;
        this.origin = origin;
    }

    /** Parses the text; lines that do not fit are skipped. */
    public static Symvers parse(String text, String origin) {
        Map<String, Entry> m = new HashMap<>();
        int at = 0;
        while (at < text.length()) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) nl = text.length();
            String[] f = text.substring(at, nl).split("\t");
            at = nl + 1;
            if (f.length < 4 || !f[0].startsWith("0x")) continue;
            try {
                long crc = Long.parseUnsignedLong(f[0].substring(2), 16) & 0xffffffffL;
                m.put(f[1], new Entry(crc, f[2], f[3].endsWith("_GPL") || f[3].endsWith("_GPL_FUTURE"),
                        f.length > 4 ? f[4].trim() : ""));
            } catch (NumberFormatException e) {
                // not a symvers line
            }
        }
        return new Symvers(m, origin);
    }

    public Entry get(String symbol) {
        return entries.get(symbol);
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** Where it was read from. */
    public String origin() {
        return origin;
    }

    /** The module's name as the kernel knows it: "lib/crc-itu-t" -> "crc_itu_t". */
    static String moduleName(String symversModule) {
        int slash = symversModule.lastIndexOf('/');
        return KernelView.normalize(slash < 0 ? symversModule : symversModule.substring(slash + 1));
    }
}
