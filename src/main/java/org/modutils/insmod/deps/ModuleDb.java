package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files depmod wrote for a tree, read for modprobe: modules.dep (each module's path and
 * dependencies), modules.alias and modules.symbols (patterns, matched as kmod's index walk
 * matches them: in key order, then in the order depmod listed the modules), modules.builtin.
 */
public final class ModuleDb {
    /** One module's modules.dep line. */
    public record Entry(String name, String path, List<String> deps) {}

    private record AliasLine(String key, String module, int order) {}

    private final String dir;
    private final Map<String, Entry> byName = new HashMap<>();
    private final List<AliasLine> aliases = new ArrayList<>();
    private final Map<String, List<String>> symbols = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();
    private final List<AliasLine> builtinAliases = new ArrayList<>();
    private IndexReader aliasBin;
    private IndexReader symbolsBin;
    private IndexReader builtinAliasBin;

    private ModuleDb(String dir) {
        this.dir = dir;
    }

    /** Reads the tree's index files; a missing one is empty, as libkmod finds nothing in it. */
    public static ModuleDb read(String moduleDir) throws IOException {
        ModuleDb db = new ModuleDb(moduleDir);
        for (String line : lines("modules.dep", moduleDir, false)) db.depLine(line);
        int order = 0;
        for (String line : lines("modules.alias", moduleDir, false)) {
            String[] w = line.split(" ");
            if (w.length != 3 || !w[0].equals("alias")) continue;
            String key = Aliases.normalize(w[1]);
            if (key != null) db.aliases.add(new AliasLine(key, w[2], order++));
        }
        for (String line : lines("modules.symbols", moduleDir, false)) {
            String[] w = line.split(" ");
            if (w.length == 3 && w[0].equals("alias")) db.symbols.computeIfAbsent(w[1], k -> new ArrayList<>()).add(w[2]);
        }
        for (String line : lines("modules.builtin", moduleDir, false)) {
            if (!line.isEmpty()) db.builtin.add(Mod.nameOf(line));
        }
        db.readBuiltinModinfo();
        db.aliasBin = IndexReader.open(Path.of(moduleDir, "modules.alias.bin"));
        db.symbolsBin = IndexReader.open(Path.of(moduleDir, "modules.symbols.bin"));
        db.builtinAliasBin = IndexReader.open(Path.of(moduleDir, "modules.builtin.alias.bin"));
        return db;
    }

    /** modules.builtin.modinfo: "module.alias=pattern" strings separated by NULs. */
    private void readBuiltinModinfo() throws IOException {
        Path p = Path.of(dir, "modules.builtin.modinfo");
        if (!Files.exists(p)) return;
        int order = 0;
        for (String entry : new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\0")) {
            int dot = entry.indexOf('.');
            if (dot <= 0 || !entry.startsWith("alias=", dot + 1)) continue;
            String key = Aliases.normalize(entry.substring(dot + 1 + "alias=".length()));
            if (key != null) builtinAliases.add(new AliasLine(key, entry.substring(0, dot), order++));
        }
    }

    private static List<String> lines(String name, String dir, boolean required) throws IOException {
        Path p = Path.of(dir, name);
        if (!required && !Files.exists(p)) return List.of();
        return List.of(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n"));
    }

    private void depLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) return;
        String path = line.substring(0, colon);
        List<String> deps = new ArrayList<>();
        for (String d : line.substring(colon + 1).trim().split("[ \t]+")) if (!d.isEmpty()) deps.add(d);
        String name = Mod.nameOf(path);
        byName.putIfAbsent(name, new Entry(name, path, deps));
    }

    public String dir() {
        return dir;
    }

    /** The module called {@code name} in modules.dep, or null. */
    public Entry module(String name) {
        return byName.get(name);
    }

    /** The absolute path of a modules.dep path. */
    public String absolute(String path) {
        return path.startsWith("/") ? path : dir + "/" + path;
    }

    /** Module names whose modules.alias pattern matches {@code name}, in kmod's order. */
    public List<String> aliasMatches(String name) {
        return aliasBin != null ? values(aliasBin.searchWild(name)) : matches(aliases, name);
    }

    private static List<String> values(List<IndexReader.Value> vs) {
        List<String> out = new ArrayList<>();
        for (IndexReader.Value v : vs) out.add(v.text());
        return out;
    }

    /** Built-in modules whose modules.builtin.modinfo alias matches {@code name}. */
    public List<String> builtinAliasMatches(String name) {
        if (builtinAliasBin != null) return values(builtinAliasBin.searchWild(name));
        return matches(builtinAliases, name);
    }

    private static List<String> matches(List<AliasLine> table, String name) {
        List<AliasLine> hits = new ArrayList<>();
        for (AliasLine a : table) if (a.key().equals(name) || Fnmatch.matches(a.key(), name)) hits.add(a);
        hits.sort((x, y) -> {
            int c = compareBytes(x.key(), y.key());
            return c != 0 ? c : Integer.compare(x.order(), y.order());
        });
        List<String> out = new ArrayList<>();
        for (AliasLine a : hits) out.add(a.module());
        return out;
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Owners of a "symbol:NAME" alias. */
    public List<String> symbolOwners(String alias) {
        if (symbolsBin != null) return values(symbolsBin.searchWild(alias));
        return symbols.getOrDefault(alias, List.of());
    }

    public boolean isBuiltin(String name) {
        return builtin.contains(name);
    }
}
