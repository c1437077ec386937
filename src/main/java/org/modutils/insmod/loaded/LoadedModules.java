package org.modutils.insmod.loaded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The modules a 2.6+ kernel has loaded, read as libkmod reads them: the names and their order
 * from {@code /proc/modules}; size, use count, holders and init state from
 * {@code /sys/module/<name>}. Everything is read under {@code root} ("/" for the running
 * system; a directory tree in tests).
 */
public final class LoadedModules {
    /** ENOENT as libkmod returns it (negative) where a value cannot be read. */
    public static final int NO_ENTRY = -2;

    /** One line of lsmod. */
    public record Module(String name, long size, int useCount, List<String> holders) {}

    /** /sys/module/NAME/initstate: live, coming, going; absent when not loaded. */
    public enum State { LIVE, COMING, GOING, ABSENT }

    private final Path root;

    public LoadedModules(Path root) {
        this.root = root;
    }

    private Path sys(String name, String file) {
        return root.resolve("sys/module").resolve(name).resolve(file);
    }

    /** The names in /proc/modules order; the IOException says why it could not be read. */
    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : procModules()) {
            String name = firstToken(line, 0);
            if (name != null) out.add(name);
        }
        return out;
    }

    private List<String> procModules() throws IOException {
        return List.of(new String(Files.readAllBytes(root.resolve("proc/modules")), StandardCharsets.ISO_8859_1).split("\n"));
    }

    /** The n-th space- or tab-separated token of a line, or null. */
    private static String firstToken(String line, int n) {
        String[] t = line.trim().split("[ \t]+");
        return t.length > n && !t[n].isEmpty() ? t[n] : null;
    }

    /** Every module with lsmod's columns. */
    public List<Module> list() throws IOException {
        List<Module> out = new ArrayList<>();
        for (String n : names()) out.add(new Module(n, size(n), useCount(n), holders(n)));
        return out;
    }

    /** kmod_module_get_size: /sys/module/NAME/coresize, else the size column of /proc/modules; -2 when not loaded. */
    public long size(String name) {
        if (!Files.isDirectory(root.resolve("sys/module").resolve(name))) return NO_ENTRY;
        Path core = sys(name, "coresize");
        if (Files.exists(core)) {
            Long v = readLong(core);
            return v == null ? NO_ENTRY : v;
        }
        try {
            for (String line : procModules()) {
                if (!name.equals(firstToken(line, 0))) continue;
                String size = firstToken(line, 1);
                return size == null ? NO_ENTRY : atol(size);
            }
        } catch (IOException e) {
            return NO_ENTRY;
        }
        return NO_ENTRY;
    }

    /** kmod_module_get_refcnt: /sys/module/NAME/refcnt; -2 when absent. */
    public int useCount(String name) {
        Long v = readLong(sys(name, "refcnt"));
        return v == null ? NO_ENTRY : (int) (long) v;
    }

    /** kmod_module_get_holders: the entries of /sys/module/NAME/holders in directory order; empty when none. */
    public List<String> holders(String name) {
        return entries(sys(name, "holders"));
    }

    /** The names in directory {@code dir}, in directory order; what was read before a failure (empty when none). */
    public static List<String> entries(Path dir) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(dir)) {
            for (Path p : d) out.add(p.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** kmod_module_get_initstate without the built-in check: the initstate file, or a bare directory counts as coming. */
    public State state(String name) {
        Path f = sys(name, "initstate");
        try {
            String s = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII);
            switch (s) {
                case "live\n": return State.LIVE;
                case "coming\n": return State.COMING;
                case "going\n": return State.GOING;
                default: return State.ABSENT;
            }
        } catch (IOException e) {
            return Files.isDirectory(root.resolve("sys/module").resolve(name)) ? State.COMING : State.ABSENT;
        }
    }

    private static Long readLong(Path p) {
        try {
            String s = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).strip();
            return Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** atol: leading digits (with sign), 0 when none. */
    private static long atol(String s) {
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == start) return 0;
        try {
            return Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
