package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the modules of a tree as kmod's depmod does: directories in readdir order ("build",
 * "source" and excluded names skipped), files ending in .ko, .ko.gz, .ko.xz or .ko.zst, and
 * of two files with one module name the one the search/override configuration prefers.
 */
final class ModuleScan {
    private static final String[] EXTENSIONS = {".ko", ".ko.gz", ".ko.xz", ".ko.zst"};

    private final String dirname;
    private final DepmodConfig cfg;
    private final DepmodLog log;
    final Map<String, Mod> byName = new LinkedHashMap<>();

    ModuleScan(String dirname, DepmodConfig cfg, DepmodLog log) {
        this.dirname = dirname;
        this.cfg = cfg;
        this.log = log;
    }

    static boolean isModuleFile(String name) {
        for (String e : EXTENSIONS) if (name.endsWith(e) && name.length() > e.length()) return true;
        return false;
    }

    /** Walks the module directory, then each external directory. */
    void searchAll() throws DepmodException {
        try {
            walk(Path.of(dirname), dirname);
        } catch (NoSuchFileException e) {
            throw new DepmodException("could not search modules: No such file or directory", true);
        } catch (IOException e) {
            throw new DepmodException("could not search modules: " + DepmodLog.reason(e), true);
        }
        for (String ext : cfg.externals) {
            try {
                walk(Path.of(ext), ext);
            } catch (IOException e) {
                if (!(e instanceof NoSuchFileException)) log.error("could not open directory " + ext + ": " + DepmodLog.reason(e));
            }
        }
    }

    private void walk(Path dir, String dirPath) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (excluded(name)) continue;
                String path = dirPath + "/" + name;
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException e) {
                    log.error("fstatat(" + dirPath + ", " + name + "): " + DepmodLog.reason(e));
                    continue;
                }
                if (a.isDirectory()) {
                    try {
                        walk(p, path);
                    } catch (IOException e) {
                        log.error("openat(" + dirPath + ", " + name + ", O_RDONLY): " + DepmodLog.reason(e));
                    }
                } else if (a.isRegularFile()) {
                    file(path, name);
                } else {
                    log.error("unsupported file type " + path + ": " + Integer.toOctalString(0));
                }
            }
        }
    }

    private boolean excluded(String name) {
        if (name.equals("build") || name.equals("source")) return true;
        return cfg.excludes.contains(name);
    }

    private void file(String path, String name) {
        if (!isModuleFile(name)) return;
        String modname = Mod.nameOf(path);
        Mod old = byName.get(modname);
        if (old != null && oldIsPreferred(old, path, modname)) return;
        byName.remove(modname);
        byName.put(modname, new Mod(path, dirname, modname));
    }

    /** kmod's depmod_module_is_higher_priority: whether the module already found wins. */
    private boolean oldIsPreferred(Mod old, String newPath, String modname) {
        int newlen = newPath.lastIndexOf('/') + 1 + modname.length();
        int oldlen = old.baselen + 1 + modname.length();
        String rnew = relative(newPath, newlen);
        String rold = relative(old.path, oldlen);
        for (String ov : cfg.overrides) {
            if (ov.equals(rnew)) return false;
            if (ov.equals(rold)) return true;
        }
        int i = 0;
        int bprio = -1;
        int oldprio = -1;
        int newprio = -1;
        for (DepmodConfig.Search se : cfg.searches) {
            if (se.builtin()) {
                bprio = i;
            } else if (se.external()) {
                for (String ext : cfg.externals) {
                    if (under(newPath.substring(0, newlen), ext)) newprio = i;
                    if (under(old.path.substring(0, oldlen), ext)) oldprio = i;
                    i++;
                }
                continue;
            } else if (rnew != null && under(rnew, se.path())) {
                newprio = i;
            } else if (rold != null && under(rold, se.path())) {
                oldprio = i;
            }
            i++;
        }
        if (newprio < 0) newprio = bprio;
        if (oldprio < 0) oldprio = bprio;
        return newprio <= oldprio;
    }

    private String relative(String path, int len) {
        String cut = path.substring(0, Math.min(len, path.length()));
        if (!cut.startsWith(dirname + "/")) return null;
        return cut.substring(dirname.length() + 1);
    }

    private static boolean under(String path, String prefix) {
        return path.length() > prefix.length() && path.charAt(prefix.length()) == '/' && path.startsWith(prefix);
    }

    /**
     * The module array: kmod's hash order of names, then a stable sort by position in
     * modules.order (modules it does not name keep their place after those it does).
     */
    List<Mod> array() {
        Mod[] mods = byName.values().toArray(new Mod[0]);
        KmodHash.sortByIteration(mods, m -> m.name, KmodHash.MODULE_BUCKETS);
        List<Mod> list = new ArrayList<>(List.of(mods));
        if (applyOrder(list)) list.sort((a, b) -> Integer.compare(a.sortIdx, b.sortIdx));
        for (int i = 0; i < list.size(); i++) list.get(i).idx = i;
        return list;
    }

    private boolean applyOrder(List<Mod> mods) {
        Path order = Path.of(dirname, "modules.order");
        byte[] text;
        try {
            text = Files.readAllBytes(order);
        } catch (IOException e) {
            log.warning("could not open modules.order at " + dirname + ": " + DepmodLog.reason(e));
            return false;
        }
        Map<String, Mod> byUnc = new HashMap<>();
        for (Mod m : mods) if (m.uncrelpath != null) byUnc.put(m.uncrelpath, m);
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length; i++) {
            if (text[i] != '\n') continue;
            lines.add(new String(text, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
            start = i + 1;
        }
        if (start < text.length) {
            log.error(dirname + "/modules.order:" + (lines.size() + 1) + " corrupted line misses '\\n'");
            return false;
        }
        int i = -mods.size();
        for (String line : lines) {
            Mod m = byUnc.get(line);
            if (m == null || m.sortIdx < 0) continue;
            m.sortIdx = i++;
        }
        return mods.size() > 1;
    }
}
