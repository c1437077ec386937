package org.modutils.insmod.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.modutils.insmod.deps.IndexReader;
import org.modutils.insmod.deps.ModprobeConfig;
import org.modutils.insmod.modinfo.KoReader;
import org.modutils.insmod.modinfo.ModinfoException;
import org.modutils.insmod.modinfo.ModuleVersions;

/**
 * modprobe's queries that load nothing, as kmod 30's: -c (the configuration, then the alias
 * and symbol indexes of the tree), --show-modversions and --show-exports (a module file's
 * {@code __versions} and exported symbols, "0x%08x\tNAME" lines).
 */
final class ModprobeQuery {
    private ModprobeQuery() {}

    /** kmod's show_config; the indexes are left out when the tree has none. */
    static int showConfig(ModprobeConfig cfg, String moduleDir, PrintStream out) {
        StringBuilder sb = new StringBuilder();
        for (String line : cfg.showConfig()) sb.append(line).append('\n');
        sb.append("\n# End of configuration files. Dumping indexes now:\n\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1), 0, sb.length());
        for (String index : List.of("modules.alias.bin", "modules.symbols.bin")) {
            try {
                IndexReader r = IndexReader.open(Path.of(moduleDir, index));
                if (r != null) out.write(r.dump("alias "));
            } catch (IOException | RuntimeException e) {
                // libkmod dumps nothing from an index it cannot read
            }
        }
        out.flush();
        return 0;
    }

    /**
     * --show-modversions ({@code exports} false) or --show-exports of the module file {@code path};
     * null on success, else the line after "FATAL: " (or "WARNING: " with -a).
     */
    static String showVersions(String path, boolean exports, PrintStream out) {
        Path p = Path.of(path);
        if (!Files.exists(p)) return "Module " + path + " not found.";
        String what = exports ? "could not get symbols of " : "could not get modversions of ";
        if (Files.isDirectory(p)) return what + path + ": Is a directory";
        List<ModuleVersions.Crc> list;
        try {
            byte[] module = KoReader.load(p);
            list = exports ? ModuleVersions.exports(module) : ModuleVersions.versions(module);
        } catch (ModinfoException e) {
            return what + path + ": " + e.getMessage();
        }
        StringBuilder sb = new StringBuilder();
        for (ModuleVersions.Crc c : list) {
            String hex = Long.toHexString(c.crc());
            sb.append("0x");
            for (int i = hex.length(); i < 8; i++) sb.append('0');
            sb.append(hex).append('\t').append(c.symbol()).append('\n');
        }
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1), 0, sb.length());
        out.flush();
        return null;
    }

    /**
     * kmod's prepend_options_from_env: the words of {@code env} (MODPROBE_OPTIONS) before the
     * command line's. Words end at each single blank (two blanks give an empty word); a word
     * opening with a quote runs to the matching quote, which also ends it; a quoted part inside
     * a word loses its two quotes.
     */
    static String[] prependOptions(String env, String[] args) {
        if (env == null) return args;
        List<String> words = new java.util.ArrayList<>();
        char[] buf = java.util.Arrays.copyOf(env.toCharArray(), env.length() + 1);
        int end = env.length();
        int str = 0;
        int quote = -1;
        int s = 0;
        for (; buf[s] != 0; s++) {
            if (quote < 0) {
                if (buf[s] == ' ') {
                    words.add(new String(buf, str, s - str));
                    buf[s] = 0;
                    str = s + 1;
                } else if (buf[s] == '"' || buf[s] == '\'') {
                    quote = s;
                }
            } else if (buf[s] == buf[quote]) {
                if (quote == str) {
                    words.add(new String(buf, str + 1, s - str - 1));
                    buf[s] = 0;
                    str = s + 1;
                } else { // drop both quotes, keep going in the same word
                    System.arraycopy(buf, quote + 1, buf, quote, s - 1 - quote);
                    System.arraycopy(buf, s + 1, buf, s - 1, end - s - 1);
                    end -= 2;
                    buf[end] = 0;
                    s -= 2;
                }
                quote = -1;
            }
        }
        if (str < s) {
            int z = str;
            while (buf[z] != 0) z++;
            words.add(new String(buf, str, z - str));
        }
        String[] out = new String[words.size() + args.length];
        words.toArray(out);
        System.arraycopy(args, 0, out, words.size(), args.length);
        return out;
    }

    /** strtoul(s, &end, 0) with kmod's check (an empty string or trailing text is an error): null then. */
    static Long strtoul(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        int base = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            if (i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            }
        } else if (s.startsWith("0", i)) {
            base = 8;
        }
        int start = i;
        long v = 0;
        while (i < s.length() && Character.digit(s.charAt(i), base) >= 0 && s.charAt(i) < 128) {
            v = v * base + Character.digit(s.charAt(i), base);
            i++;
        }
        if (s.isEmpty() || i == start || i != s.length()) return null;
        return neg ? -v : v;
    }
}
