package org.modutils.insmod.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What insmod takes from the configuration: the module search list, the persist directory,
 * {@code insmod_opt=} and the prune list. Read with {@link #read(ConfigContext, Messages)}, the
 * equivalent of the original's {@code config_read(0, ...)} (insmod's subset: "all = 0").
 *
 * <h2>The search list</h2>
 * If {@code MODPATH} is set, its colon-separated entries (empty ones skipped) are the list, in
 * order; in each entry {@code %s} becomes the release and {@code %%} a percent sign; an
 * entry's tag is its last path component. An empty {@code MODPATH} means an empty list.
 * Otherwise the defaults, in the original's order: {@code /lib/modules/boot} [boot],
 * {@code /lib/modules/<release>} [toplevel], {@code /lib/modules/<major.minor>} [toplevel],
 * then {@code /lib/modules/<type>} [type] for each of kernel fs net scsi block cdrom ipv4 ipv6
 * sound fc4 video misc pcmcia atm usb ide ieee1394 mtd.
 *
 * <h2>The file</h2>
 * {@code $MODULECONFIG} (what the original's code reads), else {@code $MODULECONF} (what its
 * manual names), else {@code /etc/modules.conf}, else {@code /etc/conf.modules} with the
 * original's deprecation warning (and the warnings when both exist). No file is fine; a named
 * file that cannot be opened is an error ({@code Can't open FILE}).
 *
 * <h2>Lines insmod acts on</h2>
 * {@code path[tag]=dir...} (the first one in a file drops everything collected so far unless
 * {@code keep} came before it in that file; no tag means "misc"; the value is expanded and may
 * give several directories), {@code keep}, {@code include FILE} (expanded; every match of a
 * glob is read, sorted; nesting up to 20 deep), {@code if/elseif/else/endif} (up to 20 deep;
 * {@code -k}, {@code -f FILE}, {@code -n} numeric and string comparisons
 * {@code == = != < <= > >=}, negation with {@code !}), {@code define NAME VALUE},
 * {@code persistdir=DIR}, {@code insmod_opt=OPTIONS}, {@code prune NAME}. An optional
 * {@code add} before a keyword is skipped. Values expand as {@link MetaExpander} says.
 * Every other line is ignored without a word, as the original does for insmod.
 *
 * <h2>Errors</h2>
 * Unbalanced {@code else/elseif/endif}, too deep nesting, a command that cannot be run and an
 * unreadable named file stop reading that file with an error; a failed include is reported
 * ({@code include X failed}) and reading goes on. When reading failed, the reader also reports
 * {@code Failed handle configuration} as the original's insmod does, and {@link #failed()} is
 * true; the search list collected so far is still usable (the original searches with it).
 *
 * <h2>Differences from 2.4.16, on purpose</h2>
 * An {@code if} inside a false block is not evaluated and its lines stay off (the original
 * could switch them on); {@code !} negates {@code -k} too; an {@code include} glob reads every
 * match (2.4.21's "include with globbing") and a glob that matches nothing includes nothing;
 * a root prefix, when set, goes in front of every absolute directory a {@code path} line
 * yields (the original's base_dir was put in front of the value's text as a whole).
 */
public final class ModulesConf {
    /** The original's default persistdir. */
    public static final String DEFAULT_PERSISTDIR = "/var/lib/modules/persist";

    /** The type directories, "kernel" first (modutils util/alias.h tbtype). */
    public static final List<String> TYPES = List.of("kernel", "fs", "net", "scsi", "block", "cdrom",
            "ipv4", "ipv6", "sound", "fc4", "video", "misc", "pcmcia", "atm", "usb", "ide", "ieee1394", "mtd");

    /** Names skipped at the top of a "type 1" directory walk (modutils util/alias.h prune). */
    public static final List<String> DEFAULT_PRUNE = List.of("modules.dep", "modules.generic_string",
            "modules.pcimap", "modules.isapnpmap", "modules.usbmap", "modules.parportmap",
            "modules.ieee1394map", "modules.pnpbiosmap", "System.map", ".config", "build", "vmlinux",
            "vmlinuz", "bzImage", "zImage", ".rhkmvtag");

    private static final String ETC_MODULES_CONF = "/etc/modules.conf";
    private static final String OLD_NAME = "/etc/conf.modules";
    private static final int MAX_LEVEL = 20;
    private static final int MAX_DEPTH = 20;

    private final List<SearchPath> paths;
    private final String persistDir;
    private final List<String> insmodOpts;
    private final List<String> prune;
    private final Path file;
    private final boolean failed;

    private ModulesConf(Reader r, boolean failed) {
        this.paths = List.copyOf(r.paths);
        this.persistDir = r.persistDir;
        this.insmodOpts = List.copyOf(r.insmodOpts);
        this.prune = List.copyOf(r.prune);
        this.file = r.file;
        this.failed = failed;
    }

    /**
     * Reads the configuration for insmod. Messages go to {@code out} (see the class comment);
     * this never throws for bad input.
     */
    public static ModulesConf read(ConfigContext ctx, Messages out) {
        Reader r = new Reader(ctx, out);
        boolean ok = r.run();
        if (!ok) {
            out.error("Failed handle configuration");
        }
        return new ModulesConf(r, !ok);
    }

    /** The directories to search, in order. */
    public List<SearchPath> paths() {
        return paths;
    }

    /** {@code persistdir=} (expanded), default {@value #DEFAULT_PERSISTDIR}. */
    public String persistDir() {
        return persistDir;
    }

    /**
     * The last {@code insmod_opt=} value, unexpanded, as the original keeps it. It only
     * matters when modprobe runs insmod; insmod itself does not apply it.
     */
    public Optional<String> insmodOpt() {
        return insmodOpts.isEmpty() ? Optional.empty() : Optional.of(insmodOpts.get(insmodOpts.size() - 1));
    }

    /** Every {@code insmod_opt=} value read, in order. */
    public List<String> insmodOpts() {
        return insmodOpts;
    }

    /** Names skipped at the top level of a "type 1" directory during the tree walk. */
    public List<String> pruneList() {
        return prune;
    }

    /** The top-level configuration file actually read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** True when the original's config_read would have returned -1. */
    public boolean failed() {
        return failed;
    }

    /** One reading session: the original's do_read and its globals. */
    private static final class Reader {
        final ConfigContext ctx;
        final Messages out;
        final Map<String, String> env;
        final MetaExpander meta;
        final String prefix;
        final List<SearchPath> paths = new ArrayList<>();
        final List<String> insmodOpts = new ArrayList<>();
        final List<String> prune = new ArrayList<>(DEFAULT_PRUNE);
        String persistDir = DEFAULT_PERSISTDIR;
        Path file;

        Reader(ConfigContext ctx, Messages out) {
            this.ctx = ctx;
            this.out = out;
            this.env = ctx.envCopy();
            this.meta = new MetaExpander(ctx.release(), env, out);
            this.prefix = ctx.prefix();
        }

        boolean run() {
            defaultPaths();
            String specified = nonEmpty(env.get("MODULECONFIG"));
            if (specified == null) {
                specified = nonEmpty(env.get("MODULECONF"));
            }
            if (specified != null) {
                Path p = pathOrNull(specified);
                if (p == null || !Files.isReadable(p)) {
                    out.error("Can't open " + specified);
                    return false;
                }
                file = p;
                return readFile(p, specified, 0);
            }
            String conf = prefix + ETC_MODULES_CONF;
            String old = prefix + OLD_NAME;
            Path confPath = Path.of(conf);
            Path oldPath = Path.of(old);
            String name;
            if (Files.isReadable(confPath)) {
                name = conf;
            } else if (Files.isReadable(oldPath)) {
                name = old;
                out.warning("Warning: modutils is reading from " + old + " because\n"
                        + "         " + conf + " does not exist.  The use of " + old + " is\n"
                        + "         deprecated, please rename " + old + " to " + conf + "\n"
                        + "         as soon as possible.  Command\n"
                        + "         mv " + old + " " + conf);
            } else {
                return true; // no configuration file: the defaults stand
            }
            file = Path.of(name);
            bothExistWarnings(confPath, oldPath, conf, old);
            return readFile(file, name, 0);
        }

        private void bothExistWarnings(Path confPath, Path oldPath, String conf, String old) {
            if (!Files.exists(confPath) || !Files.exists(oldPath)) {
                return;
            }
            boolean same;
            try {
                same = Files.isSameFile(confPath, oldPath);
            } catch (IOException e) {
                return;
            }
            if (same) {
                if (Files.isSymbolicLink(confPath)) {
                    out.warning("Warning: You do not need a link from " + conf + " to\n"
                            + "         " + old + ".  The use of " + old + " is deprecated,\n"
                            + "         please remove " + conf + " and rename " + old + "\n"
                            + "         to " + conf + " as soon as possible.  Commands.\n"
                            + "           rm " + conf + "\n"
                            + "           mv " + old + " " + conf);
                } else {
                    out.warning("Warning: You do not need a link from " + old + " to\n"
                            + "         " + conf + ".  The use of " + old + " is deprecated,\n"
                            + "         please remove " + old + " as soon as possible.  Command\n"
                            + "           rm " + old);
                }
            } else {
                out.warning("Warning: modutils is reading from " + conf + " and\n"
                        + "         ignoring " + old + ".  The use of " + old + " is deprecated,\n"
                        + "         please remove " + old + " as soon as possible.  Command\n"
                        + "           rm " + old);
            }
        }

        private void defaultPaths() {
            String modpath = env.get("MODPATH");
            String release = ctx.release();
            if (modpath != null) {
                for (String entry : modpath.split(":")) {
                    if (entry.isEmpty()) {
                        continue;
                    }
                    String path = printfRelease(entry, release);
                    int slash = path.lastIndexOf('/');
                    String type = slash >= 0 ? path.substring(slash + 1) : "misc";
                    paths.add(new SearchPath(type, path));
                }
                return;
            }
            paths.add(new SearchPath("boot", prefix + "/lib/modules/boot"));
            paths.add(new SearchPath("toplevel", prefix + "/lib/modules/" + release));
            paths.add(new SearchPath("toplevel", prefix + "/lib/modules/" + ConfigContext.kernelVersion(release)));
            for (String type : TYPES) {
                paths.add(new SearchPath(type, prefix + "/lib/modules/" + type));
            }
        }

        /** snprintf(buf, entry, release) for the conversions that make sense: %s and %%. */
        static String printfRelease(String entry, String release) {
            StringBuilder b = new StringBuilder();
            boolean used = false;
            for (int i = 0; i < entry.length(); i++) {
                char c = entry.charAt(i);
                if (c == '%' && i + 1 < entry.length()) {
                    char n = entry.charAt(i + 1);
                    if (n == '%') {
                        b.append('%');
                        i++;
                        continue;
                    }
                    if (n == 's' && !used) {
                        b.append(release);
                        used = true;
                        i++;
                        continue;
                    }
                }
                b.append(c);
            }
            return b.toString();
        }

        /** One file (do_read): true when it was read without a fatal error. */
        private boolean readFile(Path path, String name, int depth) {
            List<String> lines = new ArrayList<>();
            if (Files.isDirectory(path)) {
                // fopen() of a directory works and the first read ends it: an empty file
                return process(lines, List.of(), name, depth);
            }
            // UTF-8, with bytes that are not UTF-8 replaced rather than failing the read
            try (BufferedReader br = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8))) {
                ConfigLines cl = new ConfigLines(br);
                List<Integer> numbers = new ArrayList<>();
                String l;
                while ((l = cl.next()) != null) {
                    lines.add(l);
                    numbers.add(cl.lineno());
                }
                return process(lines, numbers, name, depth);
            } catch (IOException e) {
                out.error("Can't open " + name);
                return false;
            }
        }

        private boolean process(List<String> lines, List<Integer> numbers, String name, int depth) {
            boolean dropDefaultPaths = true;
            int[] state = new int[MAX_LEVEL + 1];
            int level = 0;
            state[0] = 1;
            for (int li = 0; li < lines.size(); li++) {
                String buf = lines.get(li);
                int lineno = numbers.get(li);
                String parm = skipBlanks(buf);
                if (parm.startsWith("add")) {
                    parm = skipBlanks(parm.substring(3));
                }
                if (parm.isEmpty()) {
                    continue;
                }
                int i = 0;
                while (i < parm.length() && parm.charAt(i) > ' ' && parm.charAt(i) != '=') {
                    i++;
                }
                boolean assgn = i < parm.length() && parm.charAt(i) == '=';
                String arg = i < parm.length() ? skipBlanks(parm.substring(i + 1)) : "";
                parm = parm.substring(0, i);

                if (!assgn && parm.equals("endif")) {
                    if (level > 0) {
                        --level;
                    } else {
                        out.error("unmatched endif in line " + lineno);
                        return false;
                    }
                    continue;
                }
                if (!assgn && parm.equals("else")) {
                    if (level <= 0) {
                        out.error("else without if in line " + lineno);
                        return false;
                    }
                    state[level] = state[level] == 0 ? 1 : 0;
                    continue;
                }
                boolean isIf = parm.equals("if");
                if (!assgn && parm.equals("elseif")) {
                    if (level <= 0) {
                        out.error("elseif without if in line " + lineno);
                        return false;
                    }
                    if (state[level] != 0) {
                        state[level] = 2; // an earlier branch was taken, or the block is off
                        continue;
                    }
                    --level;
                    isIf = true;
                }
                if (isIf) {
                    if (level >= MAX_LEVEL) {
                        out.error("Too many nested if's in line " + lineno);
                        return false;
                    }
                    boolean parentOn = state[level] == 1;
                    ++level;
                    state[level] = parentOn ? evaluate(arg) : 2;
                    continue;
                }
                if (state[level] != 1) {
                    continue;
                }

                if (!assgn && parm.equals("define")) {
                    Words w = Words.next(arg);
                    List<String> g = meta.expand(w.rest);
                    env.put(w.word, g != null && !g.isEmpty() ? g.get(0) : "");
                } else if (!assgn && parm.equals("include")) {
                    if (depth >= MAX_DEPTH) {
                        out.error("Too many include level in line " + lineno);
                        return false;
                    }
                    include(arg, depth);
                } else if (!assgn && parm.equals("prune")) {
                    Words w = Words.next(arg);
                    if (!w.word.isEmpty()) {
                        prune.add(w.word);
                    }
                } else if (assgn && parm.equals("insmod_opt")) {
                    insmodOpts.add(arg);
                } else if (!assgn && parm.equals("keep")) {
                    dropDefaultPaths = false;
                } else if (assgn && parm.startsWith("path")) {
                    if (dropDefaultPaths) {
                        dropDefaultPaths = false;
                        paths.clear();
                    }
                    String type = "misc";
                    if (parm.length() > 4 && parm.charAt(4) == '[') {
                        int close = parm.indexOf(']', 5);
                        if (close == parm.length() - 1) {
                            type = parm.substring(5, close);
                        }
                    }
                    List<String> g = meta.expand(arg, prefix);
                    if (g == null) {
                        return false;
                    }
                    for (String dir : g) {
                        paths.add(new SearchPath(type, dir));
                    }
                } else if (assgn && parm.equals("persistdir")) {
                    List<String> g = meta.expand(arg);
                    persistDir = g != null && !g.isEmpty() ? g.get(0) : arg;
                }
                // Anything else (modprobe's keywords, generated-file names, garbage) is
                // ignored: insmod reads with all = 0.
            }
            if (level != 0) {
                out.error("missing endif at " + name + " EOF");
                return false;
            }
            return true;
        }

        private void include(String arg, int depth) {
            List<String> targets;
            String word = Words.next(arg).word;
            if (MetaExpander.globOnly(word)) {
                targets = MetaExpander.glob(word);
            } else {
                List<String> g = meta.expand(arg);
                targets = g == null || g.isEmpty() ? List.of(arg) : List.of(g.get(0));
            }
            for (String t : targets) {
                Path p = pathOrNull(t);
                boolean ok;
                if (p == null || !Files.isReadable(p)) {
                    out.error("Can't open " + t);
                    ok = false;
                } else {
                    ok = readFile(p, t, depth + 1);
                }
                if (!ok) {
                    out.error("include " + arg + " failed");
                }
            }
        }

        /** The value of an if/elseif expression: 1 true, 0 false. */
        private int evaluate(String arg) {
            boolean not = false;
            if (arg.startsWith("!")) {
                not = true;
                arg = Words.next(arg).rest;
            }
            int result;
            if (arg.startsWith("-k")) {
                result = ctx.autoclean() ? 1 : 0;
            } else if (arg.startsWith("-f")) {
                String fileArg = Words.next(arg).rest;
                List<String> g = meta.expand(fileArg);
                String f = g != null && !g.isEmpty() ? g.get(0) : fileArg;
                Path p = f.isEmpty() ? null : pathOrNull(f);
                result = p != null && Files.isReadable(p) ? 1 : 0;
            } else {
                boolean numeric = false;
                if (arg.startsWith("-n")) {
                    numeric = true;
                    arg = Words.next(arg).rest;
                }
                Words first = Words.next(arg);
                if (!first.rest.isEmpty()) {
                    Words op = Words.next(first.rest);
                    String w1 = firstWord(meta.expand(first.word));
                    String w2 = firstWord(meta.expand(op.rest));
                    int c = numeric ? Long.compare(strtol(w1), strtol(w2)) : compareBytes(w1, w2);
                    result = switch (op.word) {
                        case "==", "=" -> c == 0 ? 1 : 0;
                        case "!=" -> c != 0 ? 1 : 0;
                        case ">=" -> c >= 0 ? 1 : 0;
                        case "<=" -> c <= 0 ? 1 : 0;
                        case ">" -> c > 0 ? 1 : 0;
                        case "<" -> c < 0 ? 1 : 0;
                        default -> 0;
                    };
                } else {
                    List<String> g = meta.expand(first.word);
                    result = g != null && !g.isEmpty() && !g.get(0).equals("0")
                            && !g.get(0).equals("false") && !g.get(0).isEmpty() ? 1 : 0;
                }
            }
            return not ? 1 - result : result;
        }

        private static String firstWord(List<String> g) {
            return g != null && !g.isEmpty() ? g.get(0) : "";
        }

        private static int compareBytes(String a, String b) {
            byte[] x = a.getBytes(StandardCharsets.ISO_8859_1);
            byte[] y = b.getBytes(StandardCharsets.ISO_8859_1);
            return java.util.Arrays.compareUnsigned(x, y);
        }

        /** strtol(s, NULL, 0): leading blanks, sign, 0x/0 prefixes, stops at the first bad digit. */
        static long strtol(String s) {
            int i = 0;
            int n = s.length();
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            boolean neg = false;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                neg = s.charAt(i) == '-';
                i++;
            }
            int base = 10;
            if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                    && i + 2 < n && Character.digit(s.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            } else if (i < n && s.charAt(i) == '0') {
                base = 8;
            }
            java.math.BigInteger v = java.math.BigInteger.ZERO;
            java.math.BigInteger b = java.math.BigInteger.valueOf(base);
            for (; i < n; i++) {
                int d = Character.digit(s.charAt(i), base);
                if (d < 0) {
                    break;
                }
                v = v.multiply(b).add(java.math.BigInteger.valueOf(d));
            }
            if (neg) {
                v = v.negate();
            }
            if (v.bitLength() > 63) {
                return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            return v.longValue();
        }

        private static String skipBlanks(String s) {
            int i = 0;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return s.substring(i);
        }

        private static Path pathOrNull(String s) {
            try {
                return Path.of(s);
            } catch (java.nio.file.InvalidPathException e) {
                return null;
            }
        }

        private static String nonEmpty(String s) {
            return s == null || s.isEmpty() ? null : s;
        }
    }

    /** The original's next_word: one word (quotes keep blanks inside it) and the rest. */
    static final class Words {
        final String word;
        final String rest;

        private Words(String word, String rest) {
            this.word = word;
            this.rest = rest;
        }

        static Words next(String pt) {
            int n = pt.length();
            int i = 0;
            while (i < n && !Character.isWhitespace(pt.charAt(i))) {
                char c = pt.charAt(i);
                if (c == '"' || c == '\'' || c == '`') {
                    for (i++; i < n && pt.charAt(i) != c; i++) {
                        if (pt.charAt(i) == '\\' && i + 1 < n && pt.charAt(i + 1) == c) {
                            i++;
                        }
                    }
                    if (i >= n) {
                        break;
                    }
                }
                i++;
            }
            String word = pt.substring(0, Math.min(i, n));
            int j = i;
            while (j < n && Character.isWhitespace(pt.charAt(j))) {
                j++;
            }
            return new Words(word, j < n ? pt.substring(j) : "");
        }
    }
}
