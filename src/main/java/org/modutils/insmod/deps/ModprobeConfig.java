package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * modprobe.d as libkmod reads it: the kernel command line's {@code module.option=value} words,
 * then *.conf files of the configuration directories (and the tree's modules.softdep) in order
 * of base name, with alias, options, install, remove, blacklist and softdep lines.
 */
public final class ModprobeConfig {
    /** kmod 30's configuration directories. */
    public static final List<String> DEFAULT_PATHS =
            List.of("/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d");

    record Alias(String pattern, String module) {}

    record Entry(String module, String text) {}

    record Softdep(String module, List<String> pre, List<String> post) {}

    final List<Alias> aliases = new ArrayList<>();
    final List<Entry> options = new ArrayList<>();
    final List<Entry> installs = new ArrayList<>();
    final List<Entry> removes = new ArrayList<>();
    final List<String> blacklist = new ArrayList<>();
    final List<Softdep> softdeps = new ArrayList<>();

    /**
     * Reads the configuration. {@code cmdline} is the kernel command line (or null), {@code moduleDir}
     * the tree whose modules.softdep is read with the files.
     */
    public static ModprobeConfig load(List<String> paths, String moduleDir, String cmdline, DepmodLog log) {
        ModprobeConfig c = new ModprobeConfig();
        if (cmdline != null) c.kernelCommandLine(cmdline);
        TreeMap<String, Path> files = new TreeMap<>();
        Path softdep = Path.of(moduleDir, "modules.softdep");
        if (Files.isRegularFile(softdep)) files.put("modules.softdep", softdep);
        for (String p : paths) list(Path.of(p), files, log);
        for (Path f : files.values()) c.parse(f, log);
        return c;
    }

    private static void list(Path dir, TreeMap<String, Path> files, DepmodLog log) {
        ConfigFiles.list(dir, files, (d, n, f) -> (n.endsWith(".conf") || n.endsWith(".alias")) && !Files.isDirectory(f),
                "could not read ", log);
    }

    private void kernelCommandLine(String cmdline) {
        for (String w : cmdline.trim().split("\\s+")) {
            int eq = w.indexOf('=');
            int dot = w.indexOf('.');
            if (eq < 0 || dot < 0 || dot > eq) continue;
            String mod = w.substring(0, dot);
            String rest = w.substring(dot + 1);
            if (mod.equals("modprobe") && rest.startsWith("blacklist=")) {
                for (String b : rest.substring("blacklist=".length()).split(",")) if (!b.isEmpty()) blacklist.add(b);
            } else {
                options.add(new Entry(underscores(mod), rest));
            }
        }
    }

    private void parse(Path file, DepmodLog log) {
        try {
            ConfigFiles.lines(file, false, (n, line) -> line(file, n, line, log));
        } catch (IOException e) {
            log.error("could not open " + file + ": " + DepmodLog.reason(e));
        }
    }

    private void line(Path file, int n, String line, DepmodLog log) {
        String t = line.stripLeading();
        if (t.isEmpty() || line.charAt(0) == '#') return;
        String[] w = words(t);
        String cmd = w[0];
        boolean ok = true;
        switch (cmd) {
            case "alias":
                if (w.length == 3) w[2] = w[2].strip().split("[\t ]+")[0];
                ok = w.length == 3;
                if (ok) {
                    String pattern = Aliases.normalize(w[1]);
                    ok = pattern != null;
                    if (ok) aliases.add(new Alias(pattern, underscores(w[2])));
                }
                break;
            case "options":
                ok = w.length == 3;
                if (ok) options.add(new Entry(underscores(w[1]), w[2].replace('\t', ' ')));
                break;
            case "install":
            case "remove":
                ok = w.length == 3;
                if (ok) (cmd.equals("install") ? installs : removes).add(new Entry(underscores(w[1]), w[2]));
                break;
            case "blacklist":
                ok = w.length >= 2;
                if (ok) blacklist.add(underscores(w[1]));
                break;
            case "softdep":
                ok = w.length == 3 && softdep(underscores(w[1]), w[2]);
                break;
            case "include":
            case "config":
                log.info(file + " line " + n + ": command " + cmd + " is deprecated and not parsed anymore");
                return;
            default:
                ok = false;
                break;
        }
        if (!ok) log.error(file + " line " + n + ": ignoring bad line starting with '" + cmd + "'");
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

    private boolean softdep(String module, String spec) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> into = null;
        for (String tok : spec.split("[\t ]+")) {
            if (tok.equals("pre:")) into = pre;
            else if (tok.equals("post:")) into = post;
            else if (into != null) into.add(tok);
        }
        softdeps.add(new Softdep(module, pre, post));
        return true;
    }

    /** kmod's underscores(): '-' becomes '_' outside brackets. */
    static String underscores(String name) {
        String n = Aliases.normalize(name);
        return n == null ? name : n;
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
