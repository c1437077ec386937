package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.report.UserError;
import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.Sym;

/** i386 (REL): absolute, PC-relative and GOT relocations, a .got of 4-byte entries. */
public final class I386 implements Target {
    static final int R_386_NONE = 0, R_386_32 = 1, R_386_PC32 = 2, R_386_GOT32 = 3, R_386_PLT32 = 4,
            R_386_GLOB_DAT = 6, R_386_JMP_SLOT = 7, R_386_RELATIVE = 8, R_386_GOTOFF = 9, R_386_GOTPC = 10;

    private LinkSection got;

    @Override public String name() { return "i386"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return !is64 && !be && (m == EM_386 || m == 6); }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return false; }
    @Override public boolean rela() { return false; }

    @Override
    public void createGot(ObjFile f) throws UserError {
        got = SlotPass.simpleGot(f, t -> t == R_386_GOTPC || t == R_386_GOTOFF, R_386_GOT32,
                SlotPass.Relocation::symbolByName, 4);
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        long dot = Field.place(f, r);
        switch (r.type) {
            case R_386_NONE:
                return RelocResult.OK;
            case R_386_32:
                return Field.add(f, r, 4, v);
            case R_386_PLT32, R_386_PC32:
                return Field.add(f, r, 4, v - dot);
            case R_386_GLOB_DAT, R_386_JMP_SLOT:
                return Field.put(f, r, 4, v);
            case R_386_RELATIVE:
                return Field.add(f, r, 4, f.baseaddr);
            case R_386_GOTPC:
                return Field.gotpc(f, r, got, dot);
            case R_386_GOT32:
                return Field.got32(f, r, got, 0, v);
            case R_386_GOTOFF:
                return Field.gotoff(f, r, got, v);
            default:
                return RelocResult.UNHANDLED;
        }
    }
}
