package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.LoadedModule;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.StructModule;
import org.modutils.insmod.link.Sym;

/**
 * The module's symbols against the kernel's: kernel and module exports bound to undefined
 * symbols, the modules used (.kmodtab), and what the module exports (__ksymtab, the ksymoops
 * symbols).
 */
final class SymbolBinding {
    private final Session s;
    private final ObjFile f;
    /** A GPLONLY_ symbol was offered (for the hint when a non-GPL module has unresolved symbols). */
    boolean gplonlySeen;
    private boolean[] moduleUsed;
    int modulesUsed;

    SymbolBinding(Session s) {
        this.s = s;
        this.f = s.f;
    }

    /** add_kernel_symbols: loaded modules first (marking those used), then the kernel. */
    void addKernelSymbols(boolean gpl) {
        List<LoadedModule> mods = s.ksyms.modules();
        moduleUsed = new boolean[mods.size()];
        for (int i = 0; i < mods.size(); i++) {
            LoadedModule m = mods.get(i);
            if (!m.symbols().isEmpty() && addSymbolsFrom(SHN_HIRESERVE + 2 + i, m.symbols(), gpl)) {
                moduleUsed[i] = true;
                modulesUsed++;
            }
        }
        if (!s.ksyms.kernel().isEmpty()) {
            addSymbolsFrom(SHN_HIRESERVE + 1, s.ksyms.kernel(), gpl);
        }
    }

    private boolean addSymbolsFrom(int idx, List<KernelSymbol> syms, boolean gpl) {
        boolean used = false;
        for (KernelSymbol k : syms) {
            String name = k.name();
            if (name.startsWith("GPLONLY_")) {
                gplonlySeen = true;
                if (!gpl) {
                    continue;
                }
                name = name.substring(8);
            }
            Sym sym = f.findSymbol(name);
            if (sym == null && s.target.name().equals("ppc64")) {
                sym = f.findSymbol("." + name);
            }
            if (sym != null && stBind(sym.info) != STB_LOCAL) {
                sym = f.symbols().add(name, -1, stInfo(STB_GLOBAL, STT_NOTYPE), idx, k.value(), 0);
                if (sym.secidx == idx) {
                    used = true;
                }
            }
        }
        return used;
    }

    /** The .this section that becomes struct module, with the module's name in it. */
    void createThisModule() {
        int size = s.target.moduleStructSize();
        LinkSection sec = f.createAllocedSectionFirst(".this", s.target.wordSize(), size);
        f.symbols().add("__this_module", -1, stInfo(STB_LOCAL, STT_OBJECT), sec.index, 0, size);
        f.stringPatch(sec.index, StructModule.NAME.offset(s.target), s.req.moduleName());
    }

    /** init_module, cleanup_module and kernel_version are never exported. */
    void hideSpecialSymbols() {
        for (String n : new String[] {"cleanup_module", "init_module", "kernel_version"}) {
            Sym sym = f.findSymbol(n);
            if (sym != null) {
                sym.info = stInfo(STB_LOCAL, stType(sym.info));
            }
        }
    }

    private void addKsymtab(Sym sym) {
        LinkSection sec = ksymtab();
        long ofs = sec.size;
        f.symbolPatch(sec.index, ofs, sym);
        f.stringPatch(sec.index, ofs + s.target.wordSize(), sym.name);
        sec.extend(2L * s.target.wordSize());
    }

    /** The loaded __ksymtab, made now if there is none (a non-loaded one is renamed out of the way). */
    private LinkSection ksymtab() {
        LinkSection sec = f.find("__ksymtab");
        if (sec != null && (sec.flags & SHF_ALLOC) == 0) {
            sec.name = "x" + sec.name.substring(1);
            sec = null;
        }
        if (sec == null) {
            sec = f.createAllocedSection("__ksymtab", s.target.wordSize(), 0, 0);
        }
        sec.flags |= SHF_ALLOC;
        return sec;
    }

    /** create_module_ksymtab: the references to the modules used, and the exports. */
    void createModuleKsymtab() {
        if (modulesUsed > 0) {
            writeModuleRefs();
        }
        boolean exportAll = s.req.has(LoadRequest.Option.EXPORT) && s.target.exportAllByDefault();
        if (exportAll && f.find("__ksymtab") == null) {
            exportAll();
        }
    }

    private void writeModuleRefs() {
        int w = s.target.wordSize();
        LinkSection sec = f.createAllocedSection(".kmodtab", w, 3L * w * modulesUsed, 0);
        Sym tm = f.findSymbol("__this_module");
        int k = 0;
        List<LoadedModule> mods = s.ksyms.modules();
        for (int i = 0; i < mods.size(); i++) {
            if (moduleUsed[i]) {
                long at = 3L * w * k;
                f.write(sec, at, w, mods.get(i).address() | s.target.moduleAddressBits(f));
                f.symbolPatch(sec.index, at + w, tm);
                f.write(sec, at + 2L * w, w, 0);
                k++;
            }
        }
    }

    /** Every global defined in a loaded section (or absolute) goes into __ksymtab. */
    private void exportAll() {
        boolean[] loaded = new boolean[f.sectionCount()];
        for (int i = 0; i < loaded.length; i++) {
            loaded[i] = (f.section(i).flags & SHF_ALLOC) != 0;
        }
        List<Sym> export = new ArrayList<>();
        for (Sym sym : f.symbols().ordered()) {
            if (stBind(sym.info) != STB_LOCAL && sym.secidx <= SHN_HIRESERVE
                    && (sym.secidx >= SHN_LORESERVE || (sym.secidx < loaded.length && loaded[sym.secidx]))) {
                export.add(sym);
            }
        }
        if (!export.isEmpty()) {
            // Room for all of them at once: growing by doubling would leave a copy of each size.
            long names = 0;
            for (Sym e : export) {
                names += e.name.length() + 1;
            }
            f.reservePatches(export.size());
            ksymtab().reserve(2L * s.target.wordSize() * export.size());
            LinkSection strings = f.find(".kstrtab");
            if (strings != null) {
                strings.reserve(names);
            }
        }
        for (Sym e : export) {
            addKsymtab(e);
        }
    }

    /** The __insmod_ symbols ksymoops reads: the object's path and mtime, the persist file, section sizes. */
    void addKsymoopsSymbols() {
        String absolute;
        LoadRequest.ModuleFile mf = s.req.module();
        if (mf.realPath() != null) {
            absolute = org.modutils.insmod.sys.FileNames.name(mf.realPath());
        } else {
            s.log.error("cannot get realpath for " + mf.name());
            absolute = mf.name();
        }
        boolean useKsymtab = f.find("__ksymtab") != null || !s.req.has(LoadRequest.Option.EXPORT)
                || !s.target.exportAllByDefault();
        LinkSection sec = f.find(".this");
        Versions.ModuleVersion v = Versions.moduleVersion(s);
        int version = v == null ? -1 : v.code();
        String prefix = "__insmod_" + s.req.moduleName();
        addMarker(prefix + "_O" + absolute + "_M" + mtimeHex(mf.mtime()) + "_V" + version, sec, useKsymtab);
        if (s.persist != null) {
            addMarker(prefix + "_P" + s.persist, sec, useKsymtab);
        }
        for (String name : new String[] {".text", ".rodata", ".data", ".bss"}) {
            LinkSection ss = f.find(name);
            if (ss != null && ss.size != 0) {
                addMarker(prefix + "_S" + ss.name + "_L" + ss.size, ss, useKsymtab);
            }
        }
    }

    private void addMarker(String name, LinkSection at, boolean export) {
        Sym sym = f.symbols().add(name, -1, stInfo(STB_GLOBAL, STT_NOTYPE), at.index, at.addr, 0);
        if (export) {
            addKsymtab(sym);
        }
    }

    /** "%0<w>X" of the mtime, w = two hex digits per address byte, without java.util.Formatter (start-up). */
    private String mtimeHex(long mtime) {
        int w = 2 * s.target.wordSize();
        StringBuilder out = new StringBuilder(w);
        String hex = Long.toHexString(mtime & (w == 8 ? 0xffffffffL : -1L)).toUpperCase(java.util.Locale.ROOT);
        for (int i = hex.length(); i < w; i++) {
            out.append('0');
        }
        return out.append(hex).toString();
    }
}
