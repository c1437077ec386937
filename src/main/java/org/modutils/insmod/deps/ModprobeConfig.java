package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * modprobe.d as libkmod reads it: the *.conf files of the configuration directories (and the
 * tree's modules.softdep) in order of base name, with alias, options, install, remove, blacklist
 * and softdep lines, then the kernel command line's {@code module.option=value} words.
 */
public final class ModprobeConfig {
    /** kmod 30's configuration directories. */
    public static final List<String> DEFAULT_PATHS =
            List.of("/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d");

    record Alias(String pattern, String module) {}

    record Entry(String module, String text) {}

    /**
     * A softdep line: its pre and post modules, and {@code plain}, the text libkmod gives back for
     * it (modprobe -c): "pre: " and the words from the first to the last pre module as written
     * (post modules between them included), then "post: " likewise, with no blank between.
     */
    record Softdep(String module, List<String> pre, List<String> post, String plain) {
        static Softdep parse(String module, String spec) {
            List<String> pre = new ArrayList<>();
            List<String> post = new ArrayList<>();
            List<String> copied = new ArrayList<>();
            int firstPre = -1, lastPre = -1, firstPost = -1, lastPost = -1;
            List<String> into = null;
            for (String tok : spec.trim().split("\\s+")) {
                if (tok.isEmpty()) continue;
                if (tok.equals("pre:")) {
                    into = pre;
                } else if (tok.equals("post:")) {
                    into = post;
                } else if (into != null) {
                    into.add(tok);
                    if (into == pre) {
                        if (firstPre < 0) firstPre = copied.size();
                        lastPre = copied.size();
                    } else {
                        if (firstPost < 0) firstPost = copied.size();
                        lastPost = copied.size();
                    }
                    copied.add(tok);
                }
            }
            String plain = (firstPre < 0 ? "" : "pre: " + String.join(" ", copied.subList(firstPre, lastPre + 1)))
                    + (firstPost < 0 ? "" : "post: " + String.join(" ", copied.subList(firstPost, lastPost + 1)));
            return new Softdep(module, pre, post, plain);
        }
    }

    final List<Alias> aliases = new ArrayList<>();
    final List<Entry> options = new ArrayList<>();
    final List<Entry> installs = new ArrayList<>();
    final List<Entry> removes = new ArrayList<>();
    final List<String> blacklist = new ArrayList<>();
    final List<Softdep> softdeps = new ArrayList<>();

    /** What libkmod complains about while reading the configuration, and where in libkmod that is. */
    public enum Problem { BAD_LINE, DEPRECATED, DIRECTORY, BAD_KCMDLINE }

    /** Receives the configuration's complaints, in the order libkmod makes them. */
    public interface Complaints {
        void complain(Problem kind, String text);
    }

    /**
     * Reads the configuration as kmod_config_new does: the files of {@code paths} (a directory's
     * *.conf and *.alias, or the file itself) and the tree's modules.softdep in order of base
     * name (the first of a name wins), then the kernel command line {@code cmdline} (or null).
     */
    public static ModprobeConfig load(List<String> paths, String moduleDir, String cmdline, Complaints log) {
        ModprobeConfig c = new ModprobeConfig();
        TreeMap<String, Path> files = new TreeMap<>();
        Path softdep = Path.of(moduleDir, "modules.softdep");
        if (Files.isRegularFile(softdep)) files.put("modules.softdep", softdep);
        for (String p : paths) list(Path.of(p), files, log);
        for (Path f : files.values()) c.parse(f, log);
        if (cmdline != null) c.kernelCommandLine(cmdline, log);
        return c;
    }

    private static void list(Path dir, TreeMap<String, Path> files, Complaints log) {
        ConfigFiles.list(dir, files, (d, n, f) -> {
            if (!(n.endsWith(".conf") || n.endsWith(".alias"))) return false;
            if (Files.isDirectory(f)) {
                log.complain(Problem.DIRECTORY, "Directories inside directories are not supported: " + d + "/" + n);
                return false;
            }
            return true;
        }, (d, e) -> { }); // libkmod skips a directory it cannot read
    }

    private void kernelCommandLine(String cmdline, Complaints log) {
        for (KernelCmdline.Word w : KernelCmdline.parse(cmdline)) {
            if (w.module().equals("modprobe") && w.param().startsWith("blacklist=")) {
                for (String b : w.param().substring("blacklist=".length()).split(",", -1)) blacklist.add(b);
                continue;
            }
            String mod = Aliases.normalize(w.module());
            if (mod == null) {
                log.complain(Problem.BAD_KCMDLINE,
                        "Ignoring bad option on kernel command line while parsing module name: '" + w.module() + "'");
            } else {
                options.add(new Entry(mod, w.param().replace('\t', ' ')));
            }
        }
    }

    private void parse(Path file, Complaints log) {
        try {
            ConfigFiles.lines(file, false, (n, line) -> line(file, n, line, log));
        } catch (IOException e) {
            // libkmod skips a file it cannot open
        }
    }

    private void line(Path file, int n, String line, Complaints log) {
        String t = line.stripLeading();
        if (t.isEmpty() || line.charAt(0) == '#') return;
        String[] w = words(t);
        String cmd = w[0];
        if (cmd.equals("include") || cmd.equals("config")) {
            log.complain(Problem.DEPRECATED, file + ": command " + cmd + " is deprecated and not parsed anymore");
            return;
        }
        if (!command(cmd, w)) {
            log.complain(Problem.BAD_LINE, file + " line " + n + ": ignoring bad line starting with '" + cmd + "'");
        }
    }

    /** One configuration command; false for a bad line (a missing word, a name left with a stray bracket). */
    private boolean command(String cmd, String[] w) {
        String mod = w.length >= 2 ? Aliases.normalize(w[1]) : null;
        if (mod == null) return false;
        switch (cmd) {
            case "alias":
                if (w.length != 3) return false;
                String target = Aliases.normalize(w[2].strip().split("[\t ]+")[0]);
                if (target == null || target.isEmpty()) return false;
                aliases.add(new Alias(mod, target));
                return true;
            case "blacklist":
                blacklist.add(mod);
                return true;
            case "options":
                if (w.length != 3) return false;
                options.add(new Entry(mod, w[2].replace('\t', ' ')));
                return true;
            case "install":
            case "remove":
                if (w.length != 3) return false;
                (cmd.equals("install") ? installs : removes).add(new Entry(mod, w[2]));
                return true;
            case "softdep":
                if (w.length != 3) return false;
                softdeps.add(Softdep.parse(mod, w[2]));
                return true;
            default:
                return false;
        }
    }

    /** strtok's view: command, first argument, and the rest after the one blank that ends it. */
    private static String[] words(String t) {
        String[] out = new String[3];
        int n = 0;
        int i = 0;
        while (n < 2 && i < t.length()) {
            while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) i++;
            if (i >= t.length()) break;
            int start = i;
            while (i < t.length() && t.charAt(i) != ' ' && t.charAt(i) != '\t') i++;
            out[n++] = t.substring(start, i);
            if (i < t.length()) i++;
        }
        if (n == 2 && i < t.length()) out[n++] = t.substring(i);
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * The configuration as modprobe -c prints it: blacklists, install and remove commands,
     * aliases, options and soft dependencies, each kind in the order read.
     */
    public List<String> showConfig() {
        List<String> out = new ArrayList<>();
        for (String b : blacklist) out.add("blacklist " + b);
        for (Entry e : installs) out.add("install " + e.module() + " " + e.text());
        for (Entry e : removes) out.add("remove " + e.module() + " " + e.text());
        for (Alias a : aliases) out.add("alias " + a.pattern() + " " + a.module());
        for (Entry e : options) out.add("options " + e.module() + " " + e.text());
        for (Softdep d : softdeps) out.add("softdep " + d.module() + " " + d.plain());
        return out;
    }

    /** Every options line for {@code module}, joined by spaces, or null. */
    String optionsOf(String module) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : options) {
            if (!e.module().equals(module)) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(e.text());
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    String installOf(String module) {
        for (Entry e : installs) if (e.module().equals(module)) return e.text();
        return null;
    }

    String removeOf(String module) {
        for (Entry e : removes) if (e.module().equals(module)) return e.text();
        return null;
    }

    Softdep softdepOf(String module) {
        for (Softdep s : softdeps) if (s.module().equals(module)) return s;
        return null;
    }
}
