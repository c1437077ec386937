package org.modutils.insmod.module;

import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.StructModule;

/** init_module's first half: struct module in .this, filled from the laid-out sections. */
final class ModuleStruct {
    private static final int NEW_MOD_AUTOCLEAN = 4;

    private ModuleStruct() {}

    /** Fills struct module; false when the architecture's arch_init_module refuses. */
    static boolean fill(Session s, long size, int modulesUsed) {
        ObjFile f = s.f;
        LinkSection thisSec = f.find(".this");
        StructModule mod = new StructModule(f, thisSec);
        mod.set(StructModule.SIZE_OF_STRUCT, s.target.moduleStructSize());
        mod.set(StructModule.SIZE, size);
        mod.set(StructModule.FLAGS, s.req.has(LoadRequest.Option.AUTOCLEAN) ? NEW_MOD_AUTOCLEAN : 0);
        LinkSection sec = f.find("__ksymtab");
        if (sec != null && sec.size != 0) {
            mod.set(StructModule.SYMS, sec.addr);
            mod.set(StructModule.NSYMS, sec.size / (2L * s.target.wordSize()));
        }
        if (modulesUsed > 0) {
            mod.set(StructModule.DEPS, f.find(".kmodtab").addr);
            mod.set(StructModule.NDEPS, modulesUsed);
        }
        mod.set(StructModule.INIT, f.finalValue(f.findSymbol("init_module")));
        mod.set(StructModule.CLEANUP, f.finalValue(f.findSymbol("cleanup_module")));
        range(f, mod, "__ex_table", StructModule.EX_TABLE_START, StructModule.EX_TABLE_END, false);
        mod.set(StructModule.RUNSIZE, runsize(f, thisSec.addr));
        range(f, mod, "__archdata", StructModule.ARCHDATA_START, StructModule.ARCHDATA_END, true);
        range(f, mod, "__kallsyms", StructModule.KALLSYMS_START, StructModule.KALLSYMS_END, true);
        return s.target.initModule(f, thisSec);
    }

    /** start and end of a section, when present (and, if {@code nonEmpty}, not empty). */
    private static void range(ObjFile f, StructModule mod, String name, StructModule.Field start,
                              StructModule.Field end, boolean nonEmpty) {
        LinkSection sec = f.find(name);
        if (sec != null && (!nonEmpty || sec.size != 0)) {
            mod.set(start, sec.addr);
            mod.set(end, f.mask(sec.addr + sec.size));
        }
    }

    /** What stays after init: up to the first of .text.init and .data.init. */
    private static long runsize(ObjFile f, long mAddr) {
        long runsize = 0;
        LinkSection sec = f.find(".text.init");
        if (sec != null) {
            runsize = f.mask(sec.addr - mAddr);
        }
        sec = f.find(".data.init");
        if (sec != null) {
            long r = f.mask(sec.addr - mAddr);
            if (runsize == 0 || Long.compareUnsigned(runsize, r) > 0) {
                runsize = r;
            }
        }
        return runsize;
    }
}
