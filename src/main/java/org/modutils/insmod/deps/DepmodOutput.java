package org.modutils.insmod.deps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders depmod's files from a finished {@link ModuleDeps}, as kmod 30 writes them. */
final class DepmodOutput {
    private final ModuleDeps d;

    private DepmodOutput(ModuleDeps d) {
        this.d = d;
    }

    static DepmodResult render(ModuleDeps d) throws DepmodException {
        DepmodOutput o = new DepmodOutput(d);
        List<String> deps = o.depLines();
        boolean bins = !d.req.textOnly();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            files.put("modules.dep", o.depText(deps));
            if (bins) files.put("modules.dep.bin", o.depBin(deps));
            files.put("modules.alias", o.aliasText());
            if (bins) files.put("modules.alias.bin", o.aliasBin());
            files.put("modules.softdep", o.softdepText());
            files.put("modules.symbols", o.symbolsText());
            if (bins) files.put("modules.symbols.bin", o.symbolsBin());
            if (bins) files.put("modules.builtin.bin", Builtin.index(d.req.moduleDir(), d.log));
            if (bins) files.put("modules.builtin.alias.bin", Builtin.aliasIndex(d.req.moduleDir(), d.log));
            files.put("modules.devname", o.devname());
        } catch (IndexWriter.BadCharacterException e) {
            throw new DepmodException(e.getMessage(), true);
        }
        return new DepmodResult(files);
    }

    /** Each module's modules.dep line (without newline), in array order. */
    private List<String> depLines() {
        List<String> out = new ArrayList<>(d.modules.size());
        List<Mod> all = new ArrayList<>();
        java.util.Set<Mod> seen = new java.util.HashSet<>();
        for (Mod m : d.modules) {
            StringBuilder sb = new StringBuilder(m.shownPath()).append(':');
            all.clear();
            seen.clear();
            collect(m, all, seen);
            all.sort((a, b) -> Integer.compare(a.depSortIdx, b.depSortIdx));
            for (Mod dep : all) sb.append(' ').append(dep.shownPath());
            out.add(sb.toString());
        }
        return out;
    }

    private static void collect(Mod m, List<Mod> all, java.util.Set<Mod> seen) {
        for (Mod dep : m.deps) {
            if (!seen.add(dep)) continue;
            all.add(dep);
            collect(dep, all, seen);
        }
    }

    private static byte[] bytes(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] depText(List<String> lines) {
        StringBuilder sb = new StringBuilder(lines.size() * 64);
        for (String l : lines) sb.append(l).append('\n');
        return bytes(sb);
    }

    private byte[] depBin(List<String> lines) {
        IndexWriter idx = new IndexWriter();
        for (int i = 0; i < lines.size(); i++) {
            Mod m = d.modules.get(i);
            if (idx.insert(m.name, lines.get(i), m.idx) && d.req.warnDups())
                d.log.warning("duplicate module deps:\n" + lines.get(i));
        }
        return idx.toBytes();
    }

    private byte[] aliasText() {
        StringBuilder sb = new StringBuilder("# Aliases extracted from modules themselves.\n");
        for (Mod m : d.modules) {
            if (m.facts == null) continue;
            for (String a : m.facts.aliases()) sb.append("alias ").append(a).append(' ').append(m.name).append('\n');
        }
        return bytes(sb);
    }

    private byte[] aliasBin() {
        IndexWriter idx = new IndexWriter();
        for (Mod m : d.modules) {
            if (m.facts == null) continue;
            for (String a : m.facts.aliases()) {
                String key = Aliases.normalize(a);
                if (key == null) {
                    d.log.warning("Unmatched bracket in " + a);
                    continue;
                }
                if (idx.insert(key, m.name, m.idx) && d.req.warnDups())
                    d.log.warning("duplicate module alias:\n" + key + " " + m.name);
            }
        }
        return idx.toBytes();
    }

    private byte[] softdepText() {
        StringBuilder sb = new StringBuilder("# Soft dependencies extracted from modules themselves.\n");
        for (Mod m : d.modules) {
            if (m.facts == null) continue;
            for (String s : m.facts.softdeps()) sb.append("softdep ").append(m.name).append(' ').append(s).append('\n');
        }
        return bytes(sb);
    }

    /** The exported symbols in kmod's hash-table order. */
    private ModuleDeps.Sym[] symbolOrder() {
        ModuleDeps.Sym[] syms = d.symbols.values().toArray(new ModuleDeps.Sym[0]);
        KmodHash.sortByIteration(syms, s -> s.name, KmodHash.SYMBOL_BUCKETS);
        return syms;
    }

    private byte[] symbolsText() {
        StringBuilder sb = new StringBuilder("# Aliases for symbols, used by symbol_request().\n");
        for (ModuleDeps.Sym s : symbolOrder()) {
            if (s.owner == null) continue;
            sb.append("alias symbol:").append(s.name).append(' ').append(s.owner.name).append('\n');
        }
        return bytes(sb);
    }

    private byte[] symbolsBin() {
        IndexWriter idx = new IndexWriter();
        for (ModuleDeps.Sym s : symbolOrder()) {
            if (s.owner == null) continue;
            if (idx.insert("symbol:" + s.name, s.owner.name, s.owner.idx) && d.req.warnDups())
                d.log.warning("duplicate module syms:\nsymbol:" + s.name + " " + s.owner.name);
        }
        return idx.toBytes();
    }

    private byte[] devname() {
        StringBuilder sb = new StringBuilder();
        for (Mod m : d.modules) {
            if (m.facts == null) continue;
            String devname = null;
            char type = 0;
            long major = 0;
            long minor = 0;
            for (String a : m.facts.aliases()) {
                long[] mm;
                if (a.startsWith("devname:")) {
                    devname = a.substring("devname:".length());
                } else if ((mm = majorMinor(a, "char-major-")) != null) {
                    type = 'c';
                    major = mm[0];
                    minor = mm[1];
                } else if ((mm = majorMinor(a, "block-major-")) != null) {
                    type = 'b';
                    major = mm[0];
                    minor = mm[1];
                }
                if (type != 0 && devname != null) break;
            }
            if (devname == null) continue;
            if (type == 0) {
                d.log.error("Module '" + m.name + "' has devname (" + devname + ") but lacks major and minor information. Ignoring.");
                continue;
            }
            if (sb.length() == 0) sb.append("# Device nodes to trigger on-demand module loading.\n");
            sb.append(m.name).append(' ').append(devname).append(' ').append(type)
                    .append(major).append(':').append(minor).append('\n');
        }
        return bytes(sb);
    }

    /** sscanf(value, "PREFIX%u-%u"): both numbers, or null. */
    private static long[] majorMinor(String a, String prefix) {
        if (!a.startsWith(prefix)) return null;
        java.util.regex.Matcher mt = MAJMIN.matcher(a).region(prefix.length(), a.length());
        if (!mt.lookingAt()) return null;
        return new long[] {Long.parseLong(mt.group(1)) & 0xffffffffL, Long.parseLong(mt.group(2)) & 0xffffffffL};
    }

    private static final java.util.regex.Pattern MAJMIN = java.util.regex.Pattern.compile("\\s*\\+?(\\d{1,9})-\\s*\\+?(\\d{1,9})");
}
