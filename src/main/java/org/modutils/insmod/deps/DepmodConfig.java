package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * depmod.d as kmod reads it: files named *.conf from the configuration directories, taken in
 * order of their base name (a name already seen in an earlier directory is skipped), with
 * {@code search}, {@code override}, {@code external} and {@code exclude} lines. kmod prepends
 * each search and override entry to its list, so the lists here are in that same order.
 */
public final class DepmodConfig {
    /** kmod 30's configuration directories. */
    public static final List<String> DEFAULT_PATHS = List.of("/run/depmod.d", "/etc/depmod.d", "/lib/depmod.d");
    static final String BUILTIN = "built-in";
    static final String EXTERNAL = "external";

    /** One search entry: a subdirectory, or the {@code built-in} / {@code external} markers. */
    record Search(String path) {
        boolean builtin() {
            return path.equals(BUILTIN);
        }

        boolean external() {
            return path.equals(EXTERNAL);
        }
    }

    final List<Search> searches = new ArrayList<>();
    /** "subdir/modname", without extension. */
    final List<String> overrides = new ArrayList<>();
    final List<String> externals = new ArrayList<>();
    final List<String> excludes = new ArrayList<>();

    /** Reads the configuration; messages go to {@code log}. */
    public static DepmodConfig load(List<String> paths, String kversion, DepmodLog log) {
        DepmodConfig cfg = new DepmodConfig();
        TreeMap<String, Path> files = new TreeMap<>();
        for (String p : paths) list(Path.of(p), files, log);
        for (Path f : files.values()) cfg.parse(f, kversion, log);
        if (cfg.searches.isEmpty()) cfg.searches.add(new Search("updates"));
        return cfg;
    }

    private static void list(Path dir, TreeMap<String, Path> files, DepmodLog log) {
        ConfigFiles.list(dir, files, (d, name, f) -> {
            if (name.length() < 6 || !name.endsWith(".conf")) {
                log.info("All cfg files need .conf: " + d + "/" + name);
                return false;
            }
            if (Files.isDirectory(f)) {
                log.error("Directories inside directories are not supported: " + d + "/" + name);
                return false;
            }
            return true;
        }, (d, e) -> log.error("files list " + d + ": " + DepmodLog.reason(e)));
    }

    private void parse(Path file, String kversion, DepmodLog log) {
        try {
            ConfigFiles.lines(file, true, (linenum, line) -> line(file, linenum, line, kversion, log));
        } catch (IOException e) {
            log.error("file parse " + file + ": " + DepmodLog.reason(e));
        }
    }

    private void line(Path file, int linenum, String line, String kversion, DepmodLog log) {
        if (line.isEmpty() || line.charAt(0) == '#') return;
        String[] w = line.trim().split("[\t ]+");
        if (w.length == 0 || w[0].isEmpty()) return;
        String cmd = w[0];
        String where = file + ":" + linenum + ": ";
        switch (cmd) {
            case "search":
                for (int i = 1; i < w.length; i++) searches.add(0, new Search(w[i]));
                return;
            case "override":
                if (w.length < 4) break;
                if (!kernelMatches(w[2], kversion)) {
                    log.info(where + "override kernel did not match " + w[2]);
                    return;
                }
                overrides.add(0, w[3] + "/" + w[1]);
                return;
            case "external":
                if (w.length < 3) break;
                if (!kernelMatches(w[1], kversion)) {
                    log.info(where + "external directory did not match " + w[1]);
                    return;
                }
                externals.add(0, w[2]);
                return;
            case "exclude":
                for (int i = 1; i < w.length; i++) excludes.add(0, w[i]);
                return;
            case "include":
            case "make_map_files":
                log.info(where + "command " + cmd + " not implemented yet");
                return;
            default:
                break;
        }
        log.error(where + "ignoring bad line starting with '" + cmd + "'");
    }

    private static boolean kernelMatches(String pattern, String kversion) {
        if (pattern.equals("*")) return true;
        try {
            return Pattern.compile(pattern).matcher(kversion).find();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
