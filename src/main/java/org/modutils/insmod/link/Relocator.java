package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.report.UserError;

/** modutils' obj_relocate: places the sections at {@code base} and applies every relocation. */
public final class Relocator {
    private Relocator() {}

    /**
     * Relocates {@code f} at {@code base}. Returns the error messages (empty on success); like the
     * original, every relocation is tried even after one fails. A failure to place the sections
     * (ia64: GP cannot cover the short data) ends it at once.
     */
    public static List<String> relocate(ObjFile f, long base, boolean strict, boolean verbose) throws UserError {
        List<String> errors = new ArrayList<>();
        f.target.finalizeSectionAddresses(f, base);
        int relm = f.target.rela() ? SHT_RELA : SHT_REL;
        Reloc r = new Reloc();
        r.strict = strict;
        int n = f.sectionCount();
        // ELF symbol index -> symbol, per symbol table, filled on first use. No symbol is added
        // while relocating, so what a lookup by name finds cannot change during the loop.
        Sym[][] resolved = new Sym[n][];
        boolean[][] known = new boolean[n][];
        for (int i = 0; i < n; i++) {
            LinkSection relsec = f.section(i);
            if (relsec.type != relm || f.relocs[i] == null) {
                continue;
            }
            LinkSection targsec = f.section(relsec.info);
            if ((targsec.flags & SHF_ALLOC) == 0) {
                continue;
            }
            if (f.relocs[i].count() > 0 && targsec.contents() == null) {
                errors.add("relocations in " + relsec.name + " apply to " + targsec.name + ", which has no contents");
                continue;
            }
            if (resolved[relsec.link] == null) {
                int count = f.symtabs[relsec.link].count();
                resolved[relsec.link] = new Sym[count];
                known[relsec.link] = new boolean[count];
            }
            r.target = targsec;
            r.relSection = i;
            relocateSection(f, r, resolved[relsec.link], known[relsec.link], verbose, errors);
        }
        f.applyPatches();
        return errors;
    }

    /**
     * Every relocation of section {@code r.relSection}; {@code cache} holds the symbols of its
     * table resolved so far ({@code cached} says which are). Failures are added to {@code errors}.
     */
    private static void relocateSection(ObjFile f, Reloc r, Sym[] cache, boolean[] cached, boolean verbose,
                                        List<String> errors) {
        LinkSection relsec = f.section(r.relSection);
        ElfRelocs rels = f.relocs[r.relSection];
        ElfSymbols syms = f.symtabs[relsec.link];
        int count = rels.count();
        boolean rela = rels.rela();
        for (int k = 0; k < count; k++) {
            int symndx = rels.sym(k);
            long value = 0;
            Sym intsym = null;
            if (symndx != 0) {
                if (cached[symndx]) {
                    intsym = cache[symndx];
                } else {
                    intsym = ObjLoader.relocSymbol(f, syms, symndx);
                    cache[symndx] = intsym;
                    cached[symndx] = true;
                }
                if (intsym == null) {
                    errors.add("relocation " + k + " in " + relsec.name + " refers to symbol "
                            + syms.name()[symndx] + ", which is not in the symbol table");
                    continue;
                }
                value = f.finalValue(intsym);
                intsym.referenced = true;
            }
            long addend = rels.addend(k);
            if (rela) {
                value = f.mask(value + addend);
            }
            r.relIndex = k;
            r.offset = rels.offset(k);
            r.type = rels.type(k);
            r.addend = addend;
            r.symIndex = symndx;
            r.sym = intsym;
            r.detail = null;
            r.verboseDetail = null;
            String error = apply(f, r, value, syms, verbose);
            if (error != null) {
                errors.add(error);
            }
        }
    }

    /**
     * Applies {@code r} with {@code value}: null, or the failure in the original's words
     * ({@code <kind> of type N for SYM}, the detail after it) or ours (past the section's end).
     */
    private static String apply(ObjFile f, Reloc r, long value, ElfSymbols syms, boolean verbose) {
        RelocResult res;
        try {
            res = f.target.apply(f, r, value);
        } catch (LinkSection.OutOfSection e) {
            return "relocation of type " + r.type + " (" + f.target.relocName(r.type) + ") at offset 0x"
                    + Long.toHexString(r.offset) + " extends past the end of section " + r.target.name;
        }
        if (res == RelocResult.OK) {
            return null;
        }
        String who = r.sym != null ? r.sym.name : (r.symIndex != 0 ? syms.name()[r.symIndex] : "");
        String msg = res.message + " of type " + r.type + " for " + who;
        if (r.detail != null) {
            return msg + " (" + r.detail + ")";
        }
        if (verbose && r.verboseDetail != null) {
            return msg + " (" + r.verboseDetail + ")";
        }
        return msg;
    }
}
