package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.modutils.insmod.arch.Target;
import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.LoadedModule;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.LoadMap;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.Relocator;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.link.SymbolNaming;

/**
 * The 2.4 insmod from the kernel's symbols to the loaded image: modutils' INSMOD_MAIN after the
 * module file is opened. Output goes through {@link Messages}; the result is the exit status.
 */
public final class Insmod24 {
    /** The -n load address. */
    public static final long DUMMY_BASE = 0x12340000L;
    private static final int STRVERSIONLEN = 32;
    public static final String TAINT_URL = "http://www.tux.org/lkml/#s1-18";
    private static final int TAINT_PROPRIETARY = 1, TAINT_FORCED = 2;
    private static final int NEW_MOD_AUTOCLEAN = 4;

    private final LoadRequest req;
    private final Messages log;
    private final Kernel kernel;
    private final KernelSymbols ksyms;
    private ObjFile f;
    private Target target;
    private int warnings;
    private boolean hasModinfo;
    private String prefix;
    private boolean gplonlySeen;
    private boolean[] moduleUsed;
    private int modulesUsed;
    private boolean taintHeaderShown;
    /** The persistent-data file in use, or null. */
    private String persist;

    /** The image handed to the kernel or written with -O, for callers that want it (tests, remote). */
    private byte[] image;
    private long loadAddress;
    private long imageLimit = ImageLimit.DEFAULT;

    private Insmod24(LoadRequest req, Messages log, Kernel kernel, KernelSymbols ksyms) {
        this.req = req;
        this.log = log;
        this.kernel = kernel;
        this.ksyms = ksyms;
    }

    public static Result run(LoadRequest req, Messages log, Kernel kernel, KernelSymbols ksyms) {
        return run(req, log, kernel, ksyms, ImageLimit.DEFAULT);
    }

    /** {@link #run(LoadRequest, Messages, Kernel, KernelSymbols)} with an image bound (see {@link ImageLimit}). */
    public static Result run(LoadRequest req, Messages log, Kernel kernel, KernelSymbols ksyms, long imageLimit) {
        Insmod24 m = new Insmod24(req, log, kernel, ksyms);
        m.imageLimit = imageLimit;
        int rc;
        try {
            rc = m.main();
        } catch (LinkSection.ReadFailure e) {
            // The object file changed or failed while a section was read late: nothing was loaded.
            log.error(e.getMessage());
            m.image = null;
            rc = 1;
        }
        return new Result(rc, m.image, m.loadAddress);
    }

    /** Exit status, and the final image and its address when one was made. */
    public record Result(int status, byte[] image, long address) {}

    private int main() {
        prefix = req.prefix() != null ? req.prefix() : derivePrefix();
        if (req.prefix() == null && req.verbose()) {
            log.info("Symbol version prefix '" + prefix + "'");
        }
        if (!req.noload()) {
            for (LoadedModule m : ksyms.modules()) {
                if (m.name().equals(req.moduleName())) {
                    log.error("a module named " + req.moduleName() + " already exists");
                    return 1;
                }
            }
        }
        log.setErrorFile(req.fileName());
        try {
            ElfFile elf = ElfFile.parse(req.fileName(), req.object());
            target = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
            if (target == null || (!req.noload() && !Targets.runsOn(target, req.requiredArch()))) {
                log.error("ELF file " + req.fileName() + " not for this architecture");
                return 1;
            }
            target.useKernelSymbols(ksyms);
            f = ObjLoader.load(elf, target);
        } catch (ElfException e) {
            log.error(e.getMessage());
            return 1;
        }
        long atLeast = allocatedSize();
        if (Long.compareUnsigned(atLeast, imageLimit) > 0) {
            log.error("image of at least " + Long.toUnsignedString(atLeast) + " bytes exceeds the limit of "
                    + imageLimit);
            return 1;
        }
        flushPendingErrors();

        // Version correspondence.
        String kStr = truncate(req.release());
        String[] mStr = new String[1];
        int mVersion = moduleVersion(mStr);
        if (mVersion == -1) {
            log.error("couldn't find the kernel version the module was compiled for");
            return 1;
        }
        int kCrcs = kernelChecksummed();
        int mCrcs = moduleChecksummed();
        if ((mCrcs == 0 || kCrcs == 0) && !versionsAgree(kStr, mStr[0])) {
            if (req.force()) {
                log.info("Warning: kernel-module version mismatch\n\t" + req.fileName()
                        + " was compiled for kernel version " + mStr[0] + "\n\twhile this kernel is version " + kStr);
                warnings++;
            } else {
                if (!req.quiet()) {
                    log.error("kernel-module version mismatch\n\t" + req.fileName()
                            + " was compiled for kernel version " + mStr[0] + "\n\twhile this kernel is version "
                            + kStr + ".");
                }
                return 1;
            }
        }
        if (mCrcs != kCrcs) {
            f.symbols().rename(SymbolNaming.unversioned(prefix, f.wide));
        }

        boolean gpl = ModInfo.license(f, null) == 0;
        addKernelSymbols(gpl);
        flushPendingErrors();

        createThisModule();
        target.createGot(f);
        if (!f.pendingErrors().isEmpty()) {
            // arch_create_got failed (e.g. alpha's .got beyond 64 KiB): the original stops here.
            flushPendingErrors();
            return 1;
        }
        List<String> unresolved = f.checkUndefineds();
        if (!unresolved.isEmpty()) {
            if (!req.quiet()) {
                for (String s : unresolved) {
                    log.error("unresolved symbol " + s);
                }
                if (!gpl) {
                    if (gplonlySeen) {
                        log.error("\nHint: You are trying to load a module without a GPL compatible license\n"
                                + "      and it has unresolved symbols.  The module may be trying to access\n"
                                + "      GPLONLY symbols but the problem is more likely to be a coding or\n"
                                + "      user error.  Contact the module supplier for assistance, only they\n"
                                + "      can help you.\n");
                    } else {
                        log.error("\nHint: You are trying to load a module without a GPL compatible license\n"
                                + "      and it has unresolved symbols.  Contact the module supplier for\n"
                                + "      assistance, only they can help you.\n");
                    }
                }
            }
            return 1;
        }
        long tooBig = f.allocateCommons(imageLimit);
        if (tooBig != -1) {
            log.error("image of at least " + Long.toUnsignedString(tooBig) + " bytes exceeds the limit of "
                    + imageLimit);
            return 1;
        }

        Params.Check pc = Params.check(f, log);
        warnings += pc.warnings();
        if (!checkTainted()) {
            return 1;
        }
        // The original's order (command line, then the persistent file, with their messages),
        // except that a parameter the user typed is not taken from the file: what was typed wins.
        if (!Params.process(f, req.args(), true, hasModinfo, req.verbose(), log)) {
            return 1;
        }
        persist = pc.persist() ? persistFile() : null;
        if (persist != null && !Params.process(f, notTyped(readPersistFile(persist)), false, hasModinfo,
                req.verbose(), log)) {
            return 1;
        }
        hideSpecialSymbols();

        if (req.ksymoops()) {
            addKsymoopsSymbols();
        }
        createModuleKsymtab();
        LinkSection archdata = addArchdata();
        if (archdata == null) {
            flushPendingErrors();
            return 1;
        }
        LinkSection kallsyms = addKallsyms(null);
        if (log.errors() > 0) {
            return 1;
        }
        if (req.probe()) {
            return 0;
        }
        long size = f.loadSize();
        if (Long.compareUnsigned(size, imageLimit) > 0) {
            log.error("image of " + Long.toUnsignedString(size) + " bytes exceeds the limit of " + imageLimit);
            return 1;
        }

        long addr;
        if (req.noload()) {
            addr = DUMMY_BASE;
        } else {
            try {
                addr = kernel.createModule(req.moduleName(), size) | target.moduleAddressBits(f);
            } catch (KernelException e) {
                switch (e.errno()) {
                    case 17: // EEXIST
                        if (req.lock()) {
                            return 0;
                        }
                        log.error("a module named " + req.moduleName() + " already exists");
                        return 1;
                    case 12: // ENOMEM
                        log.error("can't allocate kernel memory for module; needed " + size + " bytes");
                        return 1;
                    default:
                        log.error("create_module: " + e.getMessage());
                        return 1;
                }
            }
        }
        loadAddress = addr;
        if (persist != null && !req.noload()) {
            probePersistentRead(addr);
        }

        List<String> relocErrors = Relocator.relocate(f, addr, !req.noload());
        if (!relocErrors.isEmpty()) {
            for (String e : relocErrors) {
                log.error(e);
            }
            deleteAfterFailure();
            return 1;
        }
        target.archdata(f, archdata);
        if (kallsyms != null) {
            addKallsyms(kallsyms);
        }
        initModule(size, addr);
        if (log.errors() - forgivenErrors > 0) {
            deleteAfterFailure();
            return 1;
        }
        if (warnings > 0 && !req.noload()) {
            log.info("Module " + req.moduleName() + " loaded, with warnings");
        }
        return 0;
    }

    /**
     * The persistent-data file for a module with 'p' parameters, as the original decides it:
     * -e FILE, or for -e "" persistdir plus the module's path relative to the module directory
     * it was found in (without .gz, .o or .mod). It must be absolute and needs ksymoops symbols.
     */
    private String persistFile() {
        String name = req.persist();
        String file = null;
        if (name == null) {
            file = null;
        } else if (!name.isEmpty()) {
            file = name;
        } else if (req.persistDir() == null || req.persistDir().isEmpty()) {
            if (req.verbose()) {
                log.info("insmod: -e \"\" ignored, no persistdir");
                warnings++;
            }
        } else {
            String fn = req.fileName();
            for (String dir : req.modulePaths()) {
                int j = dir.length();
                if (j < fn.length() && fn.startsWith(dir) && fn.charAt(j) == '/') {
                    while (j < fn.length() && fn.charAt(j) == '/') {
                        j++;
                    }
                    String rel = fn.substring(j);
                    if (rel.length() > 3 && rel.endsWith(".gz")) {
                        rel = rel.substring(0, rel.length() - 3);
                    }
                    if (rel.length() > 2 && rel.endsWith(".o")) {
                        rel = rel.substring(0, rel.length() - 2);
                    } else if (rel.length() > 4 && rel.endsWith(".mod")) {
                        rel = rel.substring(0, rel.length() - 4);
                    }
                    file = req.persistDir() + "/" + rel;
                    break;
                }
            }
            if (file == null) {
                log.error("Cannot calculate persistent filename");
            }
        }
        if (file != null && !file.startsWith("/")) {
            log.error("Persistent filenames must be absolute, ignoring '" + file + "'");
            file = null;
        }
        if (file != null && !req.ksymoops()) {
            log.error("has persistent data but ksymoops symbols are not available");
            file = null;
        }
        if (req.verbose()) {
            log.info(file != null ? "Persist filename '" + file + "'" : "No persistent filename available");
        }
        return file;
    }

    /** The persistent-file lines whose parameter was not given on the command line. */
    private List<String> notTyped(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            int eq = line.indexOf('=');
            boolean typed = false;
            for (String a : req.args()) {
                int aeq = a.indexOf('=');
                typed |= eq >= 0 && aeq == eq && a.regionMatches(0, line, 0, eq);
            }
            if (!typed) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * The name=value lines of a persistent-data file ('#' comments). As in the original, every
     * line is taken, also for parameters without the 'p' modifier, and a directory gives nothing
     * (its fopen succeeded and the first read ended the loop).
     */
    private List<String> readPersistFile(String file) {
        List<String> out = new ArrayList<>();
        byte[] data;
        try {
            java.nio.file.Path path = org.modutils.insmod.sys.FileNames.forReading(file);
            if (java.nio.file.Files.isDirectory(path)) {
                return out;
            }
            data = java.nio.file.Files.readAllBytes(path);
        } catch (IOException e) {
            if (req.verbose()) {
                log.info("Cannot open persist file '" + file + "' " + IoReasons.of(e));
            }
            return out;
        }
        String text = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            if (nl < 0 || nl - pos >= 2999) {
                log.error("Persistent data line is too long\n" + text.substring(pos, Math.min(text.length(), pos + 2999)));
                break;
            }
            int start = pos;
            while (start < nl && CNum.isSpace(text.charAt(start))) {
                start++; // C isspace(), not Java's wider whitespace
            }
            String line = text.substring(start, nl);
            pos = nl + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (out.size() == 1000) {
                log.error("More than 1000 persistent parameters");
                break;
            }
            out.add(line);
        }
        return out;
    }

    /**
     * The original's check that the kernel can hand persistent data back: init_module with a
     * negative size_of_struct asks to read from the module instead of loading it.
     */
    private void probePersistentRead(long addr) {
        int size = target.moduleStructSize();
        byte[] probe = new byte[size + 4];
        LinkSection fake = new LinkSection(-1, ".probe", SHT_PROGBITS, 0, probe.length, 1);
        fake.setContents(probe);
        f.write(fake, StructModule.SIZE_OF_STRUCT.offset(target), target.wordSize(), -size);
        f.write(fake, StructModule.READ_START.offset(target), target.wordSize(), f.mask(addr + size));
        f.write(fake, StructModule.READ_END.offset(target), target.wordSize(), f.mask(addr + size + 4));
        try {
            kernel.initModule(req.moduleName(), probe);
        } catch (KernelException e) {
            log.error("has persistent data but the kernel is too old to support it.  Expect errors during rmmod as well");
            // Reported, but as in the original it does not count: the load goes on.
            forgivenErrors++;
        }
    }

    /** Errors reported that, as in the original, do not stop the load. */
    private int forgivenErrors;

    /**
     * A lower bound of the image: the sizes of the sections that will be loaded and of every
     * NOBITS section (all of which get contents), saturating at 2^64-1 (unsigned).
     */
    private long allocatedSize() {
        long sum = 0;
        for (LinkSection s : f.sections()) {
            if ((s.flags & SHF_ALLOC) != 0 || s.type == SHT_NOBITS) {
                long next = sum + s.size;
                if (Long.compareUnsigned(next, sum) < 0) {
                    return -1L;
                }
                sum = next;
            }
        }
        return sum;
    }

    private void deleteAfterFailure() {
        if (!req.noload()) {
            try {
                kernel.deleteModule(req.moduleName());
            } catch (KernelException ignored) {
                // The original ignores the result of this clean-up too.
            }
        }
    }

    private void flushPendingErrors() {
        for (String e : f.pendingErrors()) {
            log.error(e);
        }
        f.pendingErrors().clear();
    }

    private static String truncate(String s) {
        return s.length() > STRVERSIONLEN ? s.substring(0, STRVERSIONLEN) : s;
    }

    /** strncmp(k, m, 32) == 0, or with -N only the numeric a.b.c parts. */
    private boolean versionsAgree(String k, String m) {
        if (req.numericVersionOnly()) {
            return numericPart(k).equals(numericPart(m));
        }
        return k.equals(m);
    }

    private static String numericPart(String v) {
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        return v.substring(0, i);
    }

    /** set_ncv_prefix(NULL): from get_module_symbol_R / inter_module_get_R, else smp_ from uname -v. */
    private String derivePrefix() {
        String[] wellKnown = {"get_module_symbol_R", "inter_module_get_R"};
        for (KernelSymbol s : ksyms.kernel()) {
            String name = s.name();
            int l = name.length();
            for (String w : wellKnown) {
                int m = w.length();
                if (m + 8 > l || !name.startsWith(w)) {
                    continue;
                }
                if (l - m - 8 > 255) {
                    continue;
                }
                CNum.Parsed p = CNum.strtoul(name, l - 8, 16, true);
                if (p.end() == l) {
                    return name.substring(m, l - 8);
                }
            }
        }
        String v = req.utsVersion();
        int sp = v.indexOf(' ');
        if (sp >= 0 && sp + 1 < v.length() && v.startsWith("SMP ", sp + 1)) {
            return "smp_";
        }
        return "";
    }

    /** get_module_version: kernel_version from .modinfo, else the kernel_version symbol (2.0). */
    private int moduleVersion(String[] str) {
        String p = ModInfo.get(f, "kernel_version");
        if (p == null) {
            hasModinfo = false;
            Sym sym = f.findSymbol("kernel_version");
            if (sym == null) {
                sym = f.findSymbol("__module_kernel_version");
            }
            if (sym == null || sym.secidx >= f.sectionCount() || f.section(sym.secidx).contents() == null) {
                return -1;
            }
            byte[] c = f.section(sym.secidx).contents();
            int at = (int) sym.value;
            if (at < 0 || at >= c.length) {
                return -1;
            }
            int e = at;
            while (e < c.length && c[e] != 0) {
                e++;
            }
            p = new String(c, at, e - at, java.nio.charset.StandardCharsets.ISO_8859_1);
        } else {
            hasModinfo = true;
        }
        str[0] = truncate(p);
        return parseVersion(p);
    }

    static int parseVersion(String p) {
        CNum.Parsed a = CNum.strtoul(p, 0, 10, true);
        int i = a.end();
        if (i >= p.length() || p.charAt(i) != '.') {
            return -1;
        }
        CNum.Parsed b = CNum.strtoul(p, i + 1, 10, true);
        i = b.end();
        if (i >= p.length() || p.charAt(i) != '.') {
            return -1;
        }
        CNum.Parsed c = CNum.strtoul(p, i + 1, 10, true);
        if (c.end() == i + 1) {
            return -1;
        }
        return (int) (a.value() << 16 | b.value() << 8 | c.value());
    }

    private int kernelChecksummed() {
        for (KernelSymbol s : ksyms.kernel()) {
            if (s.name().equals("Using_Versions")) {
                return (int) s.value();
            }
        }
        return 0;
    }

    private int moduleChecksummed() {
        if (hasModinfo) {
            String p = ModInfo.get(f, "using_checksums");
            return p == null ? 0 : atoi(p);
        }
        return f.findSymbol("Using_Versions") != null ? 1 : 0;
    }

    private static int atoi(String s) {
        return (int) CNum.strtoul(s, 0, 10, false).value();
    }

    /** add_kernel_symbols: loaded modules first (marking those used), then the kernel. */
    private void addKernelSymbols(boolean gpl) {
        List<LoadedModule> mods = ksyms.modules();
        moduleUsed = new boolean[mods.size()];
        for (int i = 0; i < mods.size(); i++) {
            LoadedModule m = mods.get(i);
            if (!m.symbols().isEmpty() && addSymbolsFrom(SHN_HIRESERVE + 2 + i, m.symbols(), gpl)) {
                moduleUsed[i] = true;
                modulesUsed++;
            }
        }
        if (!ksyms.kernel().isEmpty()) {
            addSymbolsFrom(SHN_HIRESERVE + 1, ksyms.kernel(), gpl);
        }
    }

    private boolean addSymbolsFrom(int idx, List<KernelSymbol> syms, boolean gpl) {
        boolean used = false;
        for (KernelSymbol s : syms) {
            String name = s.name();
            if (name.startsWith("GPLONLY_")) {
                gplonlySeen = true;
                if (!gpl) {
                    continue;
                }
                name = name.substring(8);
            }
            Sym sym = f.findSymbol(name);
            if (sym == null && target.name().equals("ppc64")) {
                sym = f.findSymbol("." + name);
            }
            if (sym != null && stBind(sym.info) != STB_LOCAL) {
                sym = f.symbols().add(name, -1, stInfo(STB_GLOBAL, STT_NOTYPE), idx, s.value(), 0);
                if (sym.secidx == idx) {
                    used = true;
                }
            }
        }
        return used;
    }

    private void createThisModule() {
        LinkSection sec = f.createAllocedSectionFirst(".this", target.wordSize(), target.moduleStructSize());
        f.symbols().add("__this_module", -1, stInfo(STB_LOCAL, STT_OBJECT), sec.index, 0, target.moduleStructSize());
        f.stringPatch(sec.index, StructModule.NAME.offset(target), req.moduleName());
    }

    private void hideSpecialSymbols() {
        for (String n : new String[] {"cleanup_module", "init_module", "kernel_version"}) {
            Sym sym = f.findSymbol(n);
            if (sym != null) {
                sym.info = stInfo(STB_LOCAL, stType(sym.info));
            }
        }
    }

    /** check_tainted_module: warn for a non-GPL or missing license and for -f; write the bits on a real load. */
    private boolean checkTainted() {
        int old = -1;
        try {
            old = kernel.tainted();
        } catch (KernelException e) {
            log.info("/proc/sys/kernel/tainted: " + e.getMessage());
        }
        boolean hasTaint = old >= 0;
        String[] lic = new String[1];
        int taint = 0;
        switch (ModInfo.license(f, lic)) {
            case 0:
                break;
            case 1:
                if (hasTaint) {
                    taintWarning("no license", "");
                    taint |= TAINT_PROPRIETARY;
                }
                break;
            default:
                taintWarning("non-GPL license - ", lic[0]);
                taint |= TAINT_PROPRIETARY;
                break;
        }
        if (req.force()) {
            taintWarning("forced load", "");
            taint |= TAINT_FORCED;
        }
        if (taint != 0 && hasTaint && !req.noload()) {
            try {
                kernel.setTainted(old | taint);
            } catch (KernelException e) {
                log.info("/proc/sys/kernel/tainted: " + e.getMessage());
            }
        }
        return true;
    }

    private void taintWarning(String text1, String text2) {
        log.info("Warning: loading " + req.fileName() + " will taint the kernel: " + text1 + text2);
        warnings++;
        if (!taintHeaderShown) {
            log.info("  See " + TAINT_URL + " for information about tainted modules");
            taintHeaderShown = true;
        }
    }

    private void addKsymtab(Sym sym) {
        LinkSection sec = ksymtab();
        long ofs = sec.size;
        f.symbolPatch(sec.index, ofs, sym);
        f.stringPatch(sec.index, ofs + target.wordSize(), sym.name);
        sec.extend(2L * target.wordSize());
    }

    /** The loaded __ksymtab, made now if there is none (a non-loaded one is renamed out of the way). */
    private LinkSection ksymtab() {
        LinkSection sec = f.find("__ksymtab");
        if (sec != null && (sec.flags & SHF_ALLOC) == 0) {
            sec.name = "x" + sec.name.substring(1);
            sec = null;
        }
        if (sec == null) {
            sec = f.createAllocedSection("__ksymtab", target.wordSize(), 0, 0);
        }
        sec.flags |= SHF_ALLOC;
        return sec;
    }

    private void createModuleKsymtab() {
        if (modulesUsed > 0) {
            int w = target.wordSize();
            LinkSection sec = f.createAllocedSection(".kmodtab", w, 3L * w * modulesUsed, 0);
            Sym tm = f.findSymbol("__this_module");
            int k = 0;
            List<LoadedModule> mods = ksyms.modules();
            for (int i = 0; i < mods.size(); i++) {
                if (moduleUsed[i]) {
                    long at = 3L * w * k;
                    f.write(sec, at, w, mods.get(i).address() | target.moduleAddressBits(f));
                    f.symbolPatch(sec.index, at + w, tm);
                    f.write(sec, at + 2L * w, w, 0);
                    k++;
                }
            }
        }
        boolean exportAll = req.export() && target.exportAllByDefault();
        if (exportAll && f.find("__ksymtab") == null) {
            boolean[] loaded = loadedSections();
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
                for (Sym s : export) {
                    names += s.name.length() + 1;
                }
                f.reservePatches(export.size());
                ksymtab().reserve(2L * target.wordSize() * export.size());
                LinkSection strings = f.find(".kstrtab");
                if (strings != null) {
                    strings.reserve(names);
                }
            }
            for (Sym s : export) {
                addKsymtab(s);
            }
        }
    }

    private boolean[] loadedSections() {
        boolean[] loaded = new boolean[f.sectionCount()];
        for (int i = 0; i < loaded.length; i++) {
            loaded[i] = (f.section(i).flags & SHF_ALLOC) != 0;
        }
        return loaded;
    }

    private void addKsymoopsSymbols() {
        String absolute;
        if (req.realPath() != null) {
            absolute = org.modutils.insmod.sys.FileNames.name(req.realPath());
        } else {
            log.error("cannot get realpath for " + req.fileName());
            absolute = req.fileName();
        }
        boolean useKsymtab = f.find("__ksymtab") != null || !req.export() || !target.exportAllByDefault();
        LinkSection sec = f.find(".this");
        String[] v = new String[1];
        int version = moduleVersion(v);
        int w = 2 * target.wordSize();
        // "%0<w>X" without java.util.Formatter (its regex and classes are a measurable part of start-up).
        StringBuilder mtime = new StringBuilder(w);
        String mhex = Long.toHexString(req.mtime() & (w == 8 ? 0xffffffffL : -1L)).toUpperCase(Locale.ROOT);
        for (int i = mhex.length(); i < w; i++) {
            mtime.append('0');
        }
        mtime.append(mhex);
        Sym sym = f.symbols().add("__insmod_" + req.moduleName() + "_O" + absolute + "_M" + mtime + "_V" + version,
                -1, stInfo(STB_GLOBAL, STT_NOTYPE), sec.index, sec.addr, 0);
        if (useKsymtab) {
            addKsymtab(sym);
        }
        if (persist != null) {
            Sym p = f.symbols().add("__insmod_" + req.moduleName() + "_P" + persist, -1,
                    stInfo(STB_GLOBAL, STT_NOTYPE), sec.index, sec.addr, 0);
            if (useKsymtab) {
                addKsymtab(p);
            }
        }
        for (String name : new String[] {".text", ".rodata", ".data", ".bss"}) {
            LinkSection s = f.find(name);
            if (s != null && s.size != 0) {
                Sym ss = f.symbols().add("__insmod_" + req.moduleName() + "_S" + s.name + "_L" + s.size, -1,
                        stInfo(STB_GLOBAL, STT_NOTYPE), s.index, s.addr, 0);
                if (useKsymtab) {
                    addKsymtab(ss);
                }
            }
        }
    }

    private LinkSection addArchdata() {
        LinkSection sec = f.find("__archdata");
        if (sec == null) {
            sec = f.createAllocedSection("__archdata", 16, 0, 0);
        }
        return target.archdata(f, sec) ? sec : null;
    }

    /** add_kallsyms: only when the kernel has kallsyms or -S; the section is built twice, as the original. */
    private LinkSection addKallsyms(LinkSection existing) {
        LinkSection sec = existing;
        if (sec == null) {
            long start = 0, stop = 0;
            for (KernelSymbol s : ksyms.kernel()) {
                String p = s.name();
                int r = p.indexOf("_R");
                int l = r >= 0 ? r : p.length();
                if (prefixOf(p, l, "__start___kallsyms")) {
                    start = s.value();
                } else if (prefixOf(p, l, "__stop___kallsyms")) {
                    stop = s.value();
                }
            }
            if (Long.compareUnsigned(start, stop) >= 0 && !req.forceKallsyms()) {
                return null;
            }
            sec = f.find("__kallsyms");
            if (sec == null) {
                sec = f.createAllocedSection("__kallsyms", 0, 0, 0);
            }
        }
        byte[] data = Kallsyms.build(f);
        sec.addralign = 4;
        sec.size = data.length;
        sec.setContents(data);
        return sec;
    }

    /** strncmp(p, s, l) == 0 for the first {@code l} characters of {@code p}. */
    private static boolean prefixOf(String p, int l, String s) {
        return l <= s.length() && s.startsWith(p.substring(0, l));
    }

    /** init_module: fills struct module, builds the image, prints the map, writes -O, calls the kernel. */
    private void initModule(long size, long addr) {
        LinkSection thisSec = f.find(".this");
        StructModule mod = new StructModule(f, thisSec);
        long mAddr = thisSec.addr;
        mod.set(StructModule.SIZE_OF_STRUCT, target.moduleStructSize());
        mod.set(StructModule.SIZE, size);
        mod.set(StructModule.FLAGS, req.autoclean() ? NEW_MOD_AUTOCLEAN : 0);
        LinkSection sec = f.find("__ksymtab");
        if (sec != null && sec.size != 0) {
            mod.set(StructModule.SYMS, sec.addr);
            mod.set(StructModule.NSYMS, sec.size / (2L * target.wordSize()));
        }
        if (modulesUsed > 0) {
            mod.set(StructModule.DEPS, f.find(".kmodtab").addr);
            mod.set(StructModule.NDEPS, modulesUsed);
        }
        mod.set(StructModule.INIT, f.finalValue(f.findSymbol("init_module")));
        mod.set(StructModule.CLEANUP, f.finalValue(f.findSymbol("cleanup_module")));
        sec = f.find("__ex_table");
        if (sec != null) {
            mod.set(StructModule.EX_TABLE_START, sec.addr);
            mod.set(StructModule.EX_TABLE_END, f.mask(sec.addr + sec.size));
        }
        long runsize = 0;
        sec = f.find(".text.init");
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
        mod.set(StructModule.RUNSIZE, runsize);
        sec = f.find("__archdata");
        if (sec != null && sec.size != 0) {
            mod.set(StructModule.ARCHDATA_START, sec.addr);
            mod.set(StructModule.ARCHDATA_END, f.mask(sec.addr + sec.size));
        }
        sec = f.find("__kallsyms");
        if (sec != null && sec.size != 0) {
            mod.set(StructModule.KALLSYMS_START, sec.addr);
            mod.set(StructModule.KALLSYMS_END, f.mask(sec.addr + sec.size));
        }
        if (!target.initModule(f, thisSec)) {
            log.error("arch_init_module failed");
            return;
        }
        if (log.errors() > 0) {
            return; // never write -O or call the kernel after an error
        }
        image = f.createImage(size);
        if (req.loadMap()) {
            int[] len = new int[1];
            byte[] map = LoadMap.bytes(f, len);
            int end = len[0];
            while (end > 0 && Character.isWhitespace((char) (map[end - 1] & 0xff))) {
                end--; // String.stripTrailing on Latin-1 text
            }
            log.info(map, end);
        }
        boolean ok = true;
        if (req.blob() != null) {
            try {
                BlobWriter.write(req.blob(), image);
            } catch (IOException e) {
                log.error("open " + req.blob() + " failed " + IoReasons.of(e));
                ok = false;
            }
        }
        if (ok && !req.noload()) {
            try {
                kernel.initModule(req.moduleName(), image);
            } catch (KernelException e) {
                log.error("init_module: " + e.getMessage());
                log.info("Hint: insmod errors can be caused by incorrect module parameters, including invalid IO"
                        + " or IRQ parameters.\n      You may find more information in syslog or the output from dmesg");
            }
        }
    }
}
