package org.modutils.insmod.modern.check;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modutils.insmod.modern.KoFile;

/**
 * The kernel's symbol resolution (simplify_symbols, resolve_symbol, check_version): each
 * undefined symbol must be exported by the kernel or a loaded module, a GPL-only export only to
 * a GPL-compatible module, and with modversions the CRC the module was built against must be the
 * kernel's. A missing symbol is looked up in the installed modules so the message says what to
 * load first.
 */
final class SymbolCheck {
    private final KoFile ko;
    private final KernelView k;
    private final boolean gplCompatible;
    private final String license;
    private final List<Finding> out;

    SymbolCheck(KoFile ko, KernelView k, String license, boolean gplCompatible, List<Finding> out) {
        this.ko = ko;
        this.k = k;
        this.license = license;
        this.gplCompatible = gplCompatible;
        this.out = out;
    }

    /** Where the kernel's CRCs come from: Module.symvers, else the installed modules' __versions. */
    private record Crcs(Map<String, Long> crcs, String origin) {}

    private Crcs crcs(Set<String> wanted) {
        Symvers sv = k.symvers();
        if (sv != null) {
            Map<String, Long> m = new HashMap<>();
            for (String s : wanted) {
                Symvers.Entry e = sv.get(s);
                if (e != null) m.put(s, e.crc());
            }
            return new Crcs(m, sv.origin());
        }
        ModuleTree tree = k.tree();
        if (tree != null) {
            Map<String, Long> m = tree.crcsFromModules(wanted, 600);
            if (!m.isEmpty()) return new Crcs(m, "the __versions of the modules in " + tree.dir());
        }
        return null;
    }

    void run() {
        Map<String, Long> modVersions = new HashMap<>();
        for (KoFile.Version v : ko.versions()) modVersions.putIfAbsent(v.name(), v.crc());
        List<String> undefined = ko.undefinedSymbols();
        Set<String> wanted = new HashSet<>(undefined);
        wanted.add("module_layout");
        Crcs crcs = modVersions.isEmpty() ? null : crcs(wanted);
        if (!modVersions.isEmpty() && crcs == null)
            out.add(Finding.note("crc", "symbol versions not checked: no Module.symvers of " + k.release()
                    + " (install its kernel headers, or give --symvers) and no installed modules to take them from"));
        if (crcs != null) version("module_layout", modVersions, crcs, true);
        if (!k.hasExports()) {
            out.add(Finding.note("symbol", "undefined symbols not checked: no /proc/kallsyms and no Module.symvers"
                    + " to tell what the kernel exports"));
            return;
        }
        int ok = 0;
        for (String sym : undefined) {
            KernelView.Export e = k.exports().get(sym);
            if (e == null) {
                missing(sym);
                continue;
            }
            if (Boolean.TRUE.equals(e.gplOnly()) && !gplCompatible) {
                out.add(Finding.error("symbol", sym + ": exported to GPL-compatible modules only (EXPORT_SYMBOL_GPL"
                        + " in " + e.owner() + "), and this module's license is '" + license + "': the kernel"
                        + " reports it as an unknown symbol; use another function or a GPL-compatible license"));
                continue;
            }
            if (crcs != null && !version(sym, modVersions, crcs, false)) continue;
            if (!namespaceImported(sym)) continue;
            ok++;
        }
        if (ok == undefined.size())
            out.add(Finding.pass("symbol", undefined.size() + " undefined symbol(s), all exported by the kernel or"
                    + " loaded modules" + (crcs == null ? "" : ", with the kernel's CRCs (" + crcs.origin() + ")")));
    }

    /** verify_namespace_is_imported: a symbol exported into a namespace needs MODULE_IMPORT_NS. */
    private boolean namespaceImported(String sym) {
        Symvers sv = k.symvers();
        Symvers.Entry e = sv == null ? null : sv.get(sym);
        if (e == null || e.namespace().isEmpty()) return true;
        List<String> imported = ko.modinfo().get("import_ns");
        if (imported != null && imported.contains(e.namespace())) return true;
        out.add(Finding.error("symbol", "module uses symbol (" + sym + ") from namespace " + e.namespace()
                + ", but does not import it -- add MODULE_IMPORT_NS(" + e.namespace() + ") to the module's source"));
        return false;
    }

    /** False (and an error) when the CRCs differ. */
    private boolean version(String sym, Map<String, Long> modVersions, Crcs crcs, boolean layout) {
        Long mine = modVersions.get(sym);
        Long theirs = crcs.crcs().get(sym);
        if (mine == null || theirs == null) {
            if (mine == null && theirs != null && !layout)
                out.add(Finding.warning("crc", sym + ": no symbol version in the module; the kernel loads it"
                        + " with a warning (\"no symbol version for " + sym + "\")"));
            return true;
        }
        if (mine.longValue() == theirs.longValue()) {
            if (layout) out.add(Finding.pass("crc", "module_layout CRC matches (struct module of the same layout)"));
            return true;
        }
        out.add(Finding.error("crc", String.format("disagrees about version of symbol %s -- the module was built"
                + " against CRC 0x%08x, this kernel has 0x%08x (%s): rebuild the module against %s's headers",
                sym, mine, theirs, crcs.origin(), k.release())));
        return false;
    }

    private void missing(String sym) {
        ModuleTree tree = k.tree();
        String owner = tree == null ? null : tree.exporter(sym);
        if (owner != null) {
            Path p = tree.path(owner);
            String name = tree.displayName(owner);
            List<String> deps = tree.dependencies(owner);
            out.add(Finding.error("symbol", sym + " is exported by " + name + ", which is not loaded: load it first ("
                    + (deps.isEmpty() ? "insmod " + (p == null ? name : p.toString()) : "it needs " + String.join(", ", deps))
                    + ") or use modprobe"));
            return;
        }
        out.add(Finding.error("symbol", sym + ": no such symbol in the kernel or any loaded module"
                + (tree == null ? "" : " (nor exported by any module in " + tree.dir() + ")")));
    }
}
