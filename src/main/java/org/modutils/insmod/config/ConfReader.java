package org.modutils.insmod.config;

import org.modutils.insmod.report.Report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.modutils.insmod.report.UserError;

/**
 * One reading session of the configuration: the original's do_read and its globals. With
 * {@code all} (modprobe) the modprobe keywords are collected into {@link ModprobeRules} and an
 * unknown line is an error; without it (insmod, depmod) they are skipped without a word.
 */
final class ConfReader {
    private static final String ETC_MODULES_CONF = "/etc/modules.conf";
    private static final String OLD_NAME = "/etc/conf.modules";
    private static final int MAX_DEPTH = 20;

    /** What a directive did with its line. */
    private enum Done { TAKEN, UNKNOWN, FATAL }

    /** One line split as do_read splits it: [add] KEYWORD[=| ]ARG. */
    private record Line(String text, boolean adding, String parm, boolean assgn, String arg) {
        static Line parse(String buf) {
            String parm = Words.skipBlanks(buf);
            boolean adding = parm.startsWith("add");
            if (adding) parm = Words.skipBlanks(parm.substring(3));
            if (parm.isEmpty()) return null;
            int i = 0;
            while (i < parm.length() && parm.charAt(i) > ' ' && parm.charAt(i) != '=') i++;
            boolean assgn = i < parm.length() && parm.charAt(i) == '=';
            String arg = i < parm.length() ? Words.skipBlanks(parm.substring(i + 1)) : "";
            String keyword = parm.substring(0, i);
            return new Line(buf.substring(0, buf.length() - parm.length() + i), adding, keyword, assgn, arg);
        }
    }

    final ConfigContext ctx;
    final Report out;
    final Map<String, String> env;
    final MetaExpander meta;
    final String prefix;
    final boolean all;
    final List<SearchPath> paths = new ArrayList<>();
    final List<String> insmodOpts = new ArrayList<>();
    final List<String> prune = new ArrayList<>(ModulesConf.DEFAULT_PRUNE);
    final Map<String, String> genFiles = new LinkedHashMap<>();
    final ModprobeRules rules;
    String persistDir = ModulesConf.DEFAULT_PERSISTDIR;
    Path file;

    ConfReader(ConfigContext ctx, Report out, boolean all) {
        this.ctx = ctx;
        this.out = out;
        this.env = ctx.envCopy();
        this.meta = new MetaExpander(ctx.release(), env, out);
        this.prefix = ctx.prefix();
        this.all = all;
        this.rules = all ? ModprobeRules.defaults() : new ModprobeRules();
    }

    boolean run() {
        defaultPaths();
        boolean ok = readTopLevel();
        return ok && generatedFiles();
    }

    private boolean readTopLevel() {
        String specified = Words.nonEmpty(env.get("MODULECONFIG"));
        if (specified == null) {
            specified = Words.nonEmpty(env.get("MODULECONF"));
        }
        if (specified != null) {
            Path p = Words.pathOrNull(specified);
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
            out.warning(OldNameWarnings.onlyOld(conf, old));
        } else {
            return true; // no configuration file: the defaults stand
        }
        file = Path.of(name);
        OldNameWarnings.bothExist(confPath, oldPath, conf, old, out);
        return readFile(file, name, 0);
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
        for (String type : ModulesConf.TYPES) {
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
                if (n == '%' || (n == 's' && !used)) {
                    b.append(n == '%' ? "%" : release);
                    used |= n == 's';
                    i++;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /**
     * gen_file_check: each generated file's name, {@code BASE/lib/modules/VERSION/modules.X}
     * unless modules.conf named it ({@code Xfile=}, expanded, the base directory in front), or
     * the undocumented test override {@code XPATH} in the environment does.
     */
    private boolean generatedFiles() {
        for (String base : ModulesConf.GENERATED) {
            String override = env.get(base.toUpperCase(java.util.Locale.ROOT) + "PATH");
            String named = genFiles.get(base);
            if (override != null) {
                genFiles.put(base, override);
            } else if (named == null) {
                genFiles.put(base, prefix + "/lib/modules/" + ctx.release() + "/modules." + base);
            } else {
                List<String> g = meta.expand(named, prefix);
                if (g == null || g.isEmpty()) return false;
                genFiles.put(base, g.get(0));
            }
        }
        return true;
    }

    /** One file (do_read): true when it was read without an error. */
    private boolean readFile(Path path, String name, int depth) {
        List<String> lines = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        if (Files.isDirectory(path)) {
            // fopen() of a directory works and the first read ends it: an empty file
            return process(lines, numbers, name, depth);
        }
        // UTF-8, with bytes that are not UTF-8 replaced rather than failing the read
        try (BufferedReader br = new BufferedReader(
                new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8))) {
            ConfigLines cl = new ConfigLines(br);
            String l;
            while ((l = cl.next()) != null) {
                lines.add(l);
                numbers.add(cl.lineno());
            }
        } catch (IOException e) {
            out.error("Can't open " + name);
            return false;
        }
        return process(lines, numbers, name, depth);
    }

    private boolean process(List<String> lines, List<Integer> numbers, String name, int depth) {
        boolean[] dropDefaultPaths = {true}; // do_read's drop_default_paths: the next path line drops what was collected
        Conditionals cond = new Conditionals(ctx, meta);
        boolean ok = true;
        for (int li = 0; li < lines.size(); li++) {
            Line line = Line.parse(lines.get(li));
            int lineno = numbers.get(li);
            if (line == null) continue;
            try {
                if (cond.handle(line.parm(), line.assgn(), line.arg(), lineno)) continue;
            } catch (UserError e) {
                e.reportTo(out);
                return false;
            }
            if (!cond.active()) continue;
            Done d = directive(line, lineno, depth, dropDefaultPaths);
            if (d == Done.FATAL) return false;
            if (d == Done.UNKNOWN && all) {
                out.error("Invalid line " + lineno + " in " + name + "\n\t" + line.text());
                ok = false;
            }
        }
        if (!cond.balanced()) {
            out.error("missing endif at " + name + " EOF");
            return false;
        }
        return ok;
    }

    /** Every keyword but the conditionals. */
    private Done directive(Line l, int lineno, int depth, boolean[] dropDefaultPaths) {
        String parm = l.parm();
        String arg = l.arg();
        if (!l.assgn()) {
            switch (parm) {
                case "define":
                    Words w = Words.next(arg);
                    env.put(w.word, Words.first(meta.expand(w.rest)));
                    return Done.TAKEN;
                case "include":
                    if (depth >= MAX_DEPTH) {
                        out.error("Too many include level in line " + lineno);
                        return Done.FATAL;
                    }
                    return include(arg, depth) ? Done.TAKEN : Done.UNKNOWN;
                case "prune":
                    Words p = Words.next(arg);
                    if (!p.word.isEmpty()) prune.add(p.word);
                    return Done.TAKEN;
                case "keep":
                    dropDefaultPaths[0] = false;
                    return Done.TAKEN;
                default:
                    return all ? modprobeKeyword(l) : Done.UNKNOWN;
            }
        }
        return assignment(l, dropDefaultPaths);
    }

    /** alias, options, above, below, probe, probeall and the six commands (modprobe only). */
    private Done modprobeKeyword(Line l) {
        Optional<ModprobeRules.Kind> k = ModprobeRules.Kind.of(l.parm());
        if (k.isPresent()) {
            if (!rules.decode(k.get(), l.arg(), l.adding(), meta)) out.error("Missing module argument after -k\n");
            return Done.TAKEN;
        }
        return ModprobeRules.When.of(l.parm()).map(w -> {
            rules.exec(w, l.arg());
            return Done.TAKEN;
        }).orElse(Done.UNKNOWN);
    }

    /** KEYWORD=VALUE lines: insmod_opt, path[TAG], persistdir, the generated files' names. */
    private Done assignment(Line l, boolean[] dropDefaultPaths) {
        String parm = l.parm();
        String arg = l.arg();
        if (parm.equals("insmod_opt")) {
            insmodOpts.add(arg);
        } else if (parm.startsWith("path")) {
            return path(parm, arg, dropDefaultPaths) ? Done.TAKEN : Done.FATAL;
        } else if (parm.equals("persistdir")) {
            persistDir = Words.firstOr(meta.expand(arg), arg);
        } else if (parm.endsWith("file") && ModulesConf.GENERATED.contains(parm.substring(0, parm.length() - 4))) {
            genFiles.putIfAbsent(parm.substring(0, parm.length() - 4), arg); // the first one counts
        } else {
            return Done.UNKNOWN;
        }
        return Done.TAKEN;
    }

    private boolean path(String parm, String arg, boolean[] dropDefaultPaths) {
        if (dropDefaultPaths[0]) {
            dropDefaultPaths[0] = false;
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
        return true;
    }

    /** include FILE: every match of a glob, else the expanded name; false when one failed. */
    private boolean include(String arg, int depth) {
        List<String> targets;
        String word = Words.next(arg).word;
        if (MetaExpander.globOnly(word)) {
            targets = MetaExpander.glob(word);
        } else {
            targets = List.of(Words.firstOr(meta.expand(arg), arg));
        }
        boolean all = true;
        for (String t : targets) {
            Path p = Words.pathOrNull(t);
            boolean ok;
            if (p == null || !Files.isReadable(p)) {
                out.error("Can't open " + t);
                ok = false;
            } else {
                ok = readFile(p, t, depth + 1);
            }
            if (!ok) {
                out.error("include " + arg + " failed");
                all = false;
            }
        }
        return all;
    }
}
