package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSection;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.report.Report;

/** modutils' obj_load: turns a checked ELF relocatable object into an {@link ObjFile}. */
public final class ObjLoader {
    private ObjLoader() {}

    /** A module whose symbol errors (obj_add_symbol's "multiply defined") nobody is told of. */
    public static ObjFile load(ElfFile elf, Target target) throws ElfException {
        return load(elf, target, Report.NONE);
    }

    /**
     * A module; the symbol table's error() lines (obj_add_symbol's "X multiply defined") go to
     * {@code report} when they happen, then and later (kernel and ksymoops symbols), as the
     * original printed them; they stop the run at its next errors check.
     */
    public static ObjFile load(ElfFile elf, Target target, Report report) throws ElfException {
        if (elf.type() != ET_REL) {
            throw new ElfException("ELF file " + elf.fileName() + " not a relocatable object");
        }
        return loadAny(elf, target, report);
    }

    /** obj_load(..., ET_EXEC, ...) as kallsyms uses it: a linked kernel (vmlinux) instead of a module. */
    public static ObjFile loadExecutable(ElfFile elf, Target target) throws ElfException {
        if (elf.type() != ET_EXEC) {
            throw new ElfException("ELF file " + elf.fileName() + " not an executable");
        }
        return loadAny(elf, target, Report.NONE);
    }

    private static ObjFile loadAny(ElfFile elf, Target target, Report report) throws ElfException {
        String fn = elf.fileName();
        int shnum = elf.sectionCount();
        int relm = target.rela() ? SHT_RELA : SHT_REL;
        int other = target.rela() ? SHT_REL : SHT_RELA;
        int symtabIndex = -1;
        for (int i = 0; i < shnum; i++) {
            if (elf.section(i).type() == SHT_SYMTAB) {
                symtabIndex = i;
            }
        }
        int locals = symtabIndex < 0 ? 0 : elf.section(symtabIndex).info();
        ObjFile f = new ObjFile(fn, elf, target);
        long entries = symtabIndex < 0 ? 0 : elf.section(symtabIndex).size() / (elf.is64() ? 24 : 16);
        f.symtab = new SymbolTable(SymbolNaming.plain(target.is64()), locals, report,
                (int) Math.min(entries + 64, 1 << 22));

        readSections(elf, target, f);
        if (elf.section(elf.shstrndx()).type() != SHT_STRTAB) {
            throw new ElfException("ELF file " + fn + " has no section name table");
        }

        readSymbols(elf, f);
        checkRelocations(elf, target, f);
        return f;
    }

    /** The section headers, and the contents of those that will be used (read when first needed). */
    private static void readSections(ElfFile elf, Target target, ObjFile f) throws ElfException {
        String fn = elf.fileName();
        int shnum = elf.sectionCount();
        int relm = target.rela() ? SHT_RELA : SHT_REL;
        int other = target.rela() ? SHT_REL : SHT_RELA;
        for (int i = 0; i < shnum; i++) {
            ElfSection h = elf.section(i);
            LinkSection sec = f.addSection(h.name(), h.type(), h.flags(), h.size(), h.addralign());
            sec.addr = h.addr();
            sec.link = h.link();
            sec.info = h.info();
            sec.entsize = h.entsize();
            int t = h.type();
            if (t == SHT_NULL || t == SHT_NOTE || t == SHT_NOBITS) {
                continue;
            }
            if (t == SHT_GNU_ATTRIBUTES && (h.flags() & SHF_ALLOC) == 0) {
                continue; // build attributes of today's assemblers (mips, ppc, sparc, s390): nothing to load
            }
            if (t == SHT_PROGBITS || t == SHT_SYMTAB || t == SHT_STRTAB || t == relm) {
                if (h.size() > 0) {
                    sec.setContents(elf, i); // copied from the file when first used
                }
            } else if (t == other) {
                if (h.size() != 0) {
                    throw new ElfException((target.rela() ? "REL" : "RELA")
                            + " relocations not supported on this architecture " + fn);
                }
            } else if (Integer.compareUnsigned(t, SHT_LOPROC) >= 0) {
                String refused = target.procSectionError(sec);
                if (refused != null) {
                    throw new ElfException(refused);
                }
                if (h.size() > 0) {
                    sec.setContents(elf, i); // copied from the file when first used
                }
                target.loadProcSection(sec);
            } else {
                throw new ElfException("can't handle sections of type " + Integer.toUnsignedString(t) + " " + fn);
            }
        }
    }

    /** The load order, .modinfo kept out of the image, and every symbol into the hash table. */
    private static void readSymbols(ElfFile elf, ObjFile f) throws ElfException {
        int shnum = elf.sectionCount();
        for (int i = 0; i < shnum; i++) {
            LinkSection sec = f.section(i);
            if (sec.name.equals(".modinfo") || sec.name.equals(".modstring")) {
                sec.flags &= ~SHF_ALLOC;
                sec.load();
            }
            if ((sec.flags & SHF_ALLOC) != 0) {
                f.insertLoadOrder(sec);
                sec.load(); // what is loaded is read now, where a read error can be reported
            }
            if (sec.type == SHT_SYMTAB) {
                ElfSymbols syms = elf.symbols(i);
                f.symtabs[i] = syms;
                for (int j = 1; j < syms.count(); j++) {
                    String name = syms.name()[j];
                    if (name.isEmpty()) {
                        int shndx = syms.shndx()[j];
                        if (shndx >= shnum && shndx < SHN_LORESERVE) {
                            continue; // the symbol of a section that is not in the file
                        }
                        name = shndx < shnum ? f.section(shndx).name : "";
                    }
                    f.symtab.add(name, j, syms.info()[j], syms.shndx()[j], syms.value()[j], syms.size()[j]);
                }
            }
        }

    }

    /** Every relocation section refers to a symbol table and a section it may patch, inside its bounds. */
    private static void checkRelocations(ElfFile elf, Target target, ObjFile f) throws ElfException {
        String fn = elf.fileName();
        int shnum = elf.sectionCount();
        int relm = target.rela() ? SHT_RELA : SHT_REL;
        for (int i = 0; i < shnum; i++) {
            LinkSection sec = f.section(i);
            if (sec.type != relm) {
                continue;
            }
            if (sec.link <= 0 || sec.link >= shnum || f.symtabs[sec.link] == null) {
                throw new ElfException("relocation section " + sec.name + " in " + fn
                        + " does not refer to a symbol table");
            }
            if (sec.info <= 0 || sec.info >= shnum) {
                throw new ElfException("relocation section " + sec.name + " in " + fn
                        + " applies to missing section " + sec.info);
            }
            if (sec.info == i || sec.info == sec.link) {
                throw new ElfException("relocation section " + sec.name + " in " + fn
                        + " applies to a relocation or symbol table");
            }
            ElfSymbols syms = f.symtabs[sec.link];
            ElfRelocs rels;
            try {
                rels = elf.relocations(i, syms.count());
            } catch (ElfException e) {
                throw new ElfException(fn + ": " + e.getMessage());
            }
            f.relocs[i] = rels;
            LinkSection targ = f.section(sec.info);
            // No symbol is added in this loop, so each ELF symbol resolves once.
            Sym[] resolved = new Sym[syms.count()];
            boolean[] known = new boolean[syms.count()];
            for (int k = 0; k < rels.count(); k++) {
                if (Long.compareUnsigned(rels.offset(k), targ.size) >= 0 && (targ.flags & SHF_ALLOC) != 0) {
                    throw new ElfException("relocation " + k + " in " + sec.name + " of " + fn + " at offset 0x"
                            + Long.toHexString(rels.offset(k)) + " lies outside section " + targ.name);
                }
                int symndx = rels.sym(k);
                if (symndx != 0) {
                    Sym s;
                    if (known[symndx]) {
                        s = resolved[symndx];
                    } else {
                        s = relocSymbol(f, syms, symndx);
                        resolved[symndx] = s;
                        known[symndx] = true;
                    }
                    if (s != null) {
                        s.rType = rels.type(k);
                    }
                }
            }
        }
    }

    /** obj_find_relsym: locals by index, others by name (section symbols by their section's name). */
    public static Sym relocSymbol(ObjFile f, ElfSymbols syms, int symndx) {
        if (stBind(syms.info()[symndx]) == STB_LOCAL) {
            Sym s = f.symtab.local(symndx);
            if (s != null) {
                return s;
            }
        }
        return symbolByName(f, syms, symndx);
    }

    /** The hashed symbol an ELF symbol names (unnamed ones by their section's name). */
    public static Sym symbolByName(ObjFile f, ElfSymbols syms, int symndx) {
        String name = syms.name()[symndx];
        if (name.isEmpty()) {
            int shndx = syms.shndx()[symndx];
            name = shndx < f.sectionCount() ? f.section(shndx).name : "";
        }
        return f.symtab.find(name);
    }
}
