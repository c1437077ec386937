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
 * {@code __versions} and exported symbols, "0x%08x\tNAME" lines); and the words around them:
 * MODPROBE_OPTIONS split as kmod splits it, -w's number, kmod 30's help text.
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

    /** kmod 30's help text. */
    static void help(PrintStream out) {
        out.print(""
                + "Usage:\n"
                + "\tmodprobe [options] [-i] [-b] modulename\n"
                + "\tmodprobe [options] -a [-i] [-b] modulename [modulename...]\n"
                + "\tmodprobe [options] -r [-i] modulename\n"
                + "\tmodprobe [options] -r -a [-i] modulename [modulename...]\n"
                + "\tmodprobe [options] -c\n"
                + "\tmodprobe [options] --dump-modversions filename\n"
                + "Management Options:\n"
                + "\t-a, --all                   Consider every non-argument to\n"
                + "\t                            be a module name to be inserted\n"
                + "\t                            or removed (-r)\n"
                + "\t-r, --remove                Remove modules instead of inserting\n"
                + "\t    --remove-dependencies   Deprecated: use --remove-holders\n"
                + "\t    --remove-holders        Also remove module holders (use together with -r)\n"
                + "\t-w, --wait <MSEC>           When removing a module, wait up to MSEC for\n"
                + "\t                            module's refcount to become 0 so it can be\n"
                + "\t                            removed (use together with -r)\n"
                + "\t    --first-time            Fail if module already inserted or removed\n"
                + "\t-i, --ignore-install        Ignore install commands\n"
                + "\t-i, --ignore-remove         Ignore remove commands\n"
                + "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
                + "\t-f, --force                 Force module insertion or removal.\n"
                + "\t                            implies --force-modversions and\n"
                + "\t                            --force-vermagic\n"
                + "\t    --force-modversion      Ignore module's version\n"
                + "\t    --force-vermagic        Ignore module's version magic\n"
                + "\n"
                + "Query Options:\n"
                + "\t-R, --resolve-alias         Only lookup and print alias and exit\n"
                + "\t-D, --show-depends          Only print module dependencies and exit\n"
                + "\t-c, --showconfig            Print out known configuration and exit\n"
                + "\t-c, --show-config           Same as --showconfig\n"
                + "\t    --show-modversions      Dump module symbol version and exit\n"
                + "\t    --dump-modversions      Same as --show-modversions\n"
                + "\t    --show-exports          Only print module exported symbol versions and exit\n"
                + "\n"
                + "General Options:\n"
                + "\t-n, --dry-run               Do not execute operations, just print out\n"
                + "\t-n, --show                  Same as --dry-run\n"
                + "\t-C, --config=FILE           Use FILE instead of default search paths\n"
                + "\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n"
                + "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                + "\t-s, --syslog                print to syslog, not stderr\n"
                + "\t-q, --quiet                 disable messages\n"
                + "\t-v, --verbose               enables more messages\n"
                + "\t-V, --version               show version\n"
                + "\t-h, --help                  show this help\n");
        out.flush();
    }
}
