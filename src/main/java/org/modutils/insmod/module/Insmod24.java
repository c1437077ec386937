package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.arch.Targets;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.LoadedModule;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.Relocator;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.report.Counting;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.report.UserError;

/**
 * The 2.4 linker as a library: modutils' INSMOD_MAIN from the kernel's symbols to the relocated
 * image. {@link #link} checks the module against the kernel, binds its symbols, sets its
 * parameters, lays it out, reserves the kernel memory (create_module, unless -n) and relocates
 * it; the caller shows the map, writes -O and hands the image over ({@link Linked#handOver}).
 * Warnings and the errors that only stop the run at its next check go to the {@link Report} on
 * the way; a failure ends in a {@link UserError} with the original's words.
 */
public final class Insmod24 {
    /** The -n load address. */
    public static final long DUMMY_BASE = 0x12340000L;
    public static final String TAINT_URL = Taint.URL;

    private final Session s;
    private SymbolBinding binding;

    private Insmod24(Session s) {
        this.s = s;
    }

    /** Links {@code req} against {@code ksyms} for {@code kernel}, with {@link ImageLimit#DEFAULT}. */
    public static Linked link(LoadRequest req, Kernel kernel, KernelSymbols ksyms, Report report) throws UserError {
        return link(req, kernel, ksyms, report, ImageLimit.DEFAULT);
    }

    /** {@link #link(LoadRequest, Kernel, KernelSymbols, Report)} with an image bound (see {@link ImageLimit}). */
    public static Linked link(LoadRequest req, Kernel kernel, KernelSymbols ksyms, Report report, long imageLimit)
            throws UserError {
        Session s = new Session(req, new Counting(report), kernel, ksyms, imageLimit);
        try {
            return new Insmod24(s).run();
        } catch (LinkSection.ReadFailure e) {
            // The object file changed or failed while a section was read late: nothing was loaded.
            throw new UserError(e.getMessage());
        }
    }

    private Linked run() throws UserError {
        s.prefix = Versions.prefix(s);
        refuseLoaded();
        s.log.errorFile(s.req.fileName());
        open();
        Versions.check(s);
        bindSymbols();
        setParameters();
        addModuleSections();
        if (s.req.has(LoadRequest.Option.PROBE)) {
            return new Linked(s, Linked.Outcome.PROBED, null, 0);
        }
        long size = s.f.loadSize();
        s.checkLimit(size, "image of ");
        long addr = s.req.noload() ? DUMMY_BASE : createModule(size);
        if (addr == -1) {
            return new Linked(s, Linked.Outcome.ALREADY_LOADED, null, 0);
        }
        return relocate(size, addr);
    }

    /** A real load of a module the kernel already has stops before anything else. */
    private void refuseLoaded() throws UserError {
        if (!s.req.noload()) {
            for (LoadedModule m : s.ksyms.modules()) {
                if (m.name().equals(s.req.moduleName())) {
                    throw new UserError("a module named " + s.req.moduleName() + " already exists");
                }
            }
        }
    }

    /** Reads the object for the architecture it was built for. */
    private void open() throws UserError {
        LoadRequest req = s.req;
        try {
            ElfFile elf = ElfFile.parse(req.fileName(), req.module().object());
            Target target = Targets.forObject(elf.machine(), elf.is64(), elf.bigEndian());
            if (target == null || (!req.noload() && !Targets.runsOn(target, req.kernel().requiredArch()))) {
                throw new UserError("ELF file " + req.fileName() + " not for this architecture");
            }
            target.useKernelSymbols(this::kernelSymbol);
            s.target = target;
            s.f = ObjLoader.load(elf, target, s.log);
        } catch (ElfException e) {
            throw new UserError(e.getMessage());
        }
        s.checkLimit(allocatedSize(), "image of at least ");
    }

    /** Kernel symbols, struct module, the architecture's GOT/stubs, then what is still undefined. */
    private void bindSymbols() throws UserError {
        boolean gpl = ModInfo.license(s.f).gpl();
        binding = new SymbolBinding(s);
        binding.addKernelSymbols(gpl);
        int before = s.log.errors();
        binding.createThisModule();
        s.target.createGot(s.f); // may fail, e.g. alpha's .got beyond 64 KiB
        if (s.log.errors() > before) { // a symbol multiply defined on the way
            throw UserError.reported();
        }
        List<String> unresolved = s.f.checkUndefineds();
        if (!unresolved.isEmpty()) {
            throw unresolved(unresolved, gpl);
        }
        s.f.allocateCommons(s.imageLimit);
    }

    private UserError unresolved(List<String> names, boolean gpl) {
        if (s.req.has(LoadRequest.Option.QUIET)) {
            return UserError.reported();
        }
        List<String> lines = new ArrayList<>();
        for (String n : names) {
            lines.add("unresolved symbol " + n);
        }
        if (!gpl) {
            lines.add("\nHint: You are trying to load a module without a GPL compatible license\n"
                    + "      and it has unresolved symbols.  " + (binding.gplonlySeen
                    ? "The module may be trying to access\n"
                    + "      GPLONLY symbols but the problem is more likely to be a coding or\n"
                    + "      user error.  Contact the module supplier for assistance, only they\n"
                    + "      can help you.\n"
                    : "Contact the module supplier for\n      assistance, only they can help you.\n"));
        }
        return new UserError(lines);
    }

    /** Checks the parameter declarations, the licence, then assigns persistent and given values. */
    private void setParameters() throws UserError {
        Params.Check pc = Params.check(s.f, s.req.fileName(), s.log);
        s.warnings += pc.warnings();
        Taint.check(s);
        // The original's order (command line, then the persistent file, with their messages),
        // except that a parameter the user typed is not taken from the file: what was typed wins.
        boolean verbose = s.req.verbose();
        if (!Params.process(s.f, s.req.args(), true, s.hasModinfo, verbose, s.log)) {
            throw UserError.reported();
        }
        s.persist = pc.persist() ? Persistence.file(s) : null;
        if (s.persist != null && !Params.process(s.f,
                Persistence.notTyped(Persistence.read(s, s.persist), s.req.args()), false, s.hasModinfo, verbose,
                s.log)) {
            throw UserError.reported();
        }
        binding.hideSpecialSymbols();
    }

    private LinkSection archdata;
    private LinkSection kallsyms;

    /** ksymoops symbols, __ksymtab/.kmodtab, __archdata and __kallsyms; stops on any error so far. */
    private void addModuleSections() throws UserError {
        if (s.req.has(LoadRequest.Option.KSYMOOPS)) {
            binding.addKsymoopsSymbols();
        }
        binding.createModuleKsymtab();
        archdata = s.f.find("__archdata");
        if (archdata == null) {
            archdata = s.f.createAllocedSection("__archdata", 16, 0, 0);
        }
        s.target.archdata(s.f, archdata);
        kallsyms = Kallsyms.add(s.f, s.ksyms.kernel(), s.req.has(LoadRequest.Option.KALLSYMS));
        s.log.stopIfErrors();
    }

    /** create_module; -1 when a concurrent insmod (with the lock) got there first. */
    private long createModule(long size) throws UserError {
        try {
            return s.kernel.createModule(s.req.moduleName(), size) | s.target.moduleAddressBits(s.f);
        } catch (KernelException e) {
            switch (e.errno()) {
                case 17: // EEXIST
                    if (s.req.has(LoadRequest.Option.LOCK)) {
                        return -1;
                    }
                    throw new UserError("a module named " + s.req.moduleName() + " already exists");
                case 12: // ENOMEM
                    throw new UserError("can't allocate kernel memory for module; needed " + size + " bytes");
                default:
                    throw new UserError("create_module: " + e.getMessage());
            }
        }
    }

    /** Relocates at {@code addr}, fills struct module and builds the image. */
    private Linked relocate(long size, long addr) throws UserError {
        if (s.persist != null && !s.req.noload()) {
            // A kernel that cannot hand persistent data back (every mainline 2.4 one) is reported
            // and, as the original did (it restored its error count), the load goes on.
            Persistence.kernelCanRead(s, addr);
        }
        List<String> errors;
        try {
            errors = Relocator.relocate(s.f, addr, !s.req.noload(), s.req.verbose());
        } catch (UserError e) {
            s.deleteAfterFailure();
            throw e;
        }
        if (!errors.isEmpty()) {
            s.deleteAfterFailure();
            throw new UserError(errors);
        }
        s.target.archdata(s.f, archdata);
        if (kallsyms != null) {
            Kallsyms.fill(s.f, kallsyms);
        }
        if (!ModuleStruct.fill(s, size, binding.modulesUsed)) {
            s.deleteAfterFailure();
            throw new UserError("arch_init_module failed");
        }
        return new Linked(s, Linked.Outcome.LINKED, s.f.createImage(size), addr);
    }

    /** The value of the first kernel symbol of that name, or null. */
    private Long kernelSymbol(String name) {
        for (org.modutils.insmod.kernel.KernelSymbol k : s.ksyms.kernel()) {
            if (k.name().equals(name)) {
                return k.value();
            }
        }
        return null;
    }

    /**
     * A lower bound of the image: the sizes of the sections that will be loaded and of every
     * NOBITS section (all of which get contents), saturating at 2^64-1 (unsigned).
     */
    private long allocatedSize() {
        long sum = 0;
        for (LinkSection sec : s.f.sections()) {
            if ((sec.flags & SHF_ALLOC) != 0 || sec.type == SHT_NOBITS) {
                long next = sum + sec.size;
                if (Long.compareUnsigned(next, sum) < 0) {
                    return -1L;
                }
                sum = next;
            }
        }
        return sum;
    }
}
