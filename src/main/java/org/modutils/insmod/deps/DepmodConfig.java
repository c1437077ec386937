package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
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
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) {
            files.putIfAbsent(dir.getFileName().toString(), dir);
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) continue;
                if (name.length() < 6 || !name.endsWith(".conf")) {
                    log.info("All cfg files need .conf: " + dir + "/" + name);
                    continue;
                }
                if (Files.isDirectory(f)) {
                    log.error("Directories inside directories are not supported: " + dir + "/" + name);
                    continue;
                }
                files.putIfAbsent(name, f);
            }
        } catch (IOException e) {
            log.error("files list " + dir + ": " + DepmodLog.reason(e));
        }
    }

    private void parse(Path file, String kversion, DepmodLog log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            log.error("file parse " + file + ": " + DepmodLog.reason(e));
            return;
        }
        int linenum = 0;
        StringBuilder joined = new StringBuilder();
        for (String raw : lines) {
            linenum++;
            if (raw.endsWith("\\")) {
                joined.append(raw, 0, raw.length() - 1);
                continue;
            }
            joined.append(raw);
            String line = joined.toString();
            joined.setLength(0);
            line(file, linenum, line, kversion, log);
        }
        if (joined.length() > 0) line(file, linenum, joined.toString(), kversion, log);
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
