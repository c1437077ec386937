package org.modutils.insmod.modinfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.InvalidPathException;
import org.modutils.insmod.sys.FileNames;
import java.util.ArrayList;
import java.util.List;
import org.modutils.insmod.deps.IndexReader;
import org.modutils.insmod.kernel.Errno;

/**
 * A module directory ({@code /lib/modules/<release>}) as kmod's modinfo looks a name up in it,
 * through depmod's binary indexes and in libkmod's order, stopping at the first that knows the
 * name: modules.dep.bin (a module name), modules.symbols.bin (for {@code symbol:NAME}),
 * modules.alias.bin (patterns), modules.builtin.bin (built-in modules), then
 * modules.builtin.alias.bin. No modprobe.d configuration, as modinfo reads none.
 */
public final class ModuleDirectory {
    /** A module a name resolved to: its name, its file (null for none) and whether it is built in. */
    public record Found(String name, String path, boolean builtin) {}

    private final String dirname;

    /**
     * {@code dirname} exactly as kmod composes it (root + "/lib/modules/" + release), as a byte
     * string (one char per byte); it is printed as is, and so are the paths found under it.
     */
    public ModuleDirectory(String dirname) {
        this.dirname = dirname;
    }

    public String dirname() {
        return dirname;
    }

    /**
     * The first value of {@code key} in the index {@code name}.bin; null when there is none, or
     * no index, or one that is not an index or is damaged (libkmod then finds nothing).
     */
    private String search(String name, String key) {
        IndexReader r = index(name);
        try {
            return r == null ? null : r.search(key);
        } catch (RuntimeException damaged) {
            return null;
        }
    }

    /** Every value whose stored key, read as a pattern, matches {@code key}, in priority order; empty as {@link #search}. */
    private List<String> searchWild(String name, String key) {
        IndexReader r = index(name);
        List<String> out = new ArrayList<>();
        try {
            if (r != null) for (IndexReader.Value v : r.searchWild(key)) out.add(v.text());
        } catch (RuntimeException damaged) {
            return List.of();
        }
        return out;
    }

    private IndexReader index(String name) {
        Path p = path(dirname + "/" + name + ".bin");
        try {
            return p == null ? null : IndexReader.open(p);
        } catch (IOException | RuntimeException notAnIndex) {
            return null;
        }
    }

    /** The file named by a byte string (module names and directories are bytes, as kmod has them); null when it names none. */
    public static Path path(String name) {
        try {
            return FileNames.path(name);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** libkmod's alias_normalize (as depmod writes the index); an unbalanced bracket is EINVAL. */
    static String normalizeAlias(String alias) throws ModinfoException {
        String key = org.modutils.insmod.deps.Aliases.normalize(alias);
        if (key == null) {
            throw new ModinfoException(Errno.EINVAL);
        }
        return key;
    }

    /** libkmod's modname_normalize: up to the first '.', '-' as '_'. */
    static String normalizeName(String name) {
        int dot = name.indexOf('.');
        return (dot >= 0 ? name.substring(0, dot) : name).replace('-', '_');
    }

    /** kmod_module_new_from_lookup: the modules {@code alias} names; empty when none. */
    public List<Found> lookup(String alias) throws ModinfoException {
        String key = normalizeAlias(alias);
        List<Found> out = new ArrayList<>();
        if (key.indexOf(':') < 0) {
            Found f = byDep(key);
            if (f != null) return List.of(f);
        }
        if (key.startsWith("symbol:")) {
            for (String v : searchWild("modules.symbols", key)) out.add(module(v));
            if (!out.isEmpty()) return out;
        }
        for (String v : searchWild("modules.alias", key)) out.add(module(v));
        if (!out.isEmpty()) return out;
        if (search("modules.builtin", key) != null) return List.of(new Found(key, null, true));
        for (String v : searchWild("modules.builtin.alias", key)) out.add(new Found(v, null, true));
        return out;
    }

    /** kmod_module_new_from_name_lookup (modinfo -m): a module name, a built-in module, then a built-in module's alias. */
    public Found lookupName(String name) {
        String key = normalizeName(name);
        Found f = byDep(key);
        if (f != null) return f;
        if (search("modules.builtin", key) != null) return new Found(key, null, true);
        List<String> v = searchWild("modules.builtin.alias", key);
        return v.isEmpty() ? null : new Found(v.get(0), null, true);
    }

    private Found byDep(String name) {
        String line = search("modules.dep", name);
        if (line == null) return null;
        int colon = line.indexOf(':');
        String rel = colon < 0 ? line : line.substring(0, colon);
        return new Found(name, rel.startsWith("/") ? rel : dirname + "/" + rel, false);
    }

    /** Is {@code name} a module built into the kernel (modules.builtin)? */
    public boolean isBuiltin(String name) {
        return search("modules.builtin", normalizeName(name)) != null;
    }

    /** A module named by an index value: its file from modules.dep, else known only by name. */
    private Found module(String name) {
        Found f = byDep(name);
        if (f != null) return f;
        return new Found(name, null, search("modules.builtin", name) != null);
    }

    /**
     * The fields of a built-in module from modules.builtin.modinfo ({@code name.key=value}
     * strings); null when the kernel predates that file.
     */
    public List<Field> builtinFields(String name) {
        byte[] all;
        try {
            Path p = path(dirname + "/modules.builtin.modinfo");
            if (p == null) return null;
            all = Files.readAllBytes(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String prefix = name + ".";
        List<Field> out = new ArrayList<>();
        for (String s : KmodElf.split(all, 0, all.length)) {
            if (!s.startsWith(prefix)) continue;
            String kv = s.substring(prefix.length());
            int eq = kv.indexOf('=');
            out.add(eq < 0 ? new Field(kv, kv) : new Field(kv.substring(0, eq), kv.substring(eq + 1)));
        }
        return out;
    }
}
