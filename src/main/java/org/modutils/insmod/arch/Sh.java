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
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.Sym;

/**
 * SuperH (RELA), little- or big-endian as the object says. Every 32-bit type adds to the field,
 * since the SH howtos are partial-inplace and gas leaves addends there (the original stored the
 * PIC types, losing such addends); a {@code .got} of 4-byte entries, one per GOT32 symbol, exists
 * when GOT32, GOTPC or GOTOFF is used. The original looked for those types in SHT_REL sections,
 * which SH objects never have, so it never made the .got and crashed on any GOT relocation; here
 * the RELA sections are scanned.
 */
public final class Sh implements Target {
    static final int R_SH_NONE = 0, R_SH_DIR32 = 1, R_SH_REL32 = 2, R_SH_GOT32 = 160, R_SH_PLT32 = 161,
            R_SH_GLOB_DAT = 163, R_SH_JMP_SLOT = 164, R_SH_RELATIVE = 165, R_SH_GOTOFF = 166, R_SH_GOTPC = 167;

    private final boolean big;
    private LinkSection got;

    public Sh() {
        this(false);
    }

    Sh(boolean big) {
        this.big = big;
    }

    @Override public String name() { return "sh"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return big; }
    @Override public boolean rela() { return true; }

    /** Either byte order; the ELF header's decides (the original was built for one, like the kernel). */
    @Override
    public boolean accepts(int m, boolean is64, boolean be) {
        return !is64 && m == EM_SH && be == big;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        got = SlotPass.simpleGot(f, t -> t == R_SH_GOTPC || t == R_SH_GOTOFF, R_SH_GOT32,
                r -> r.symIndex() != 0 ? r.symbol() : null, 4);
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        long dot = Field.place(f, r);
        long field;
        switch (r.type) {
            case R_SH_NONE:
                return RelocResult.OK;
            case R_SH_DIR32, R_SH_GLOB_DAT, R_SH_JMP_SLOT:
                field = v;
                break;
            case R_SH_REL32:
            case R_SH_PLT32: // no PLT in a module: straight to the function
                field = v - dot;
                break;
            case R_SH_RELATIVE:
                field = f.baseaddr + r.addend;
                break;
            case R_SH_GOTPC:
                if (got == null) {
                    return RelocResult.DANGEROUS;
                }
                field = got.addr - dot + r.addend;
                break;
            case R_SH_GOT32: {
                Sym s = r.sym;
                if (s == null || got == null || s.gotOffset < 0) {
                    return RelocResult.DANGEROUS;
                }
                SlotPass.fillOnce(f, got, s.gotOffset, s, 4, v);
                field = s.gotOffset + r.addend;
                break;
            }
            case R_SH_GOTOFF:
                if (got == null) {
                    return RelocResult.DANGEROUS;
                }
                field = v - got.addr;
                break;
            default:
                r.detail = typeName(r.type) + " is not supported on sh";
                return RelocResult.UNHANDLED;
        }
        // Every 32-bit SH type is partial-inplace: gas leaves (part of) the addend in the field.
        return Field.add(f, r, 4, field);
    }

    static String typeName(int t) {
        switch (t) {
            case 3: return "R_SH_DIR8WPN";
            case 4: return "R_SH_IND12W";
            case 5: return "R_SH_DIR8WPL";
            case 6: return "R_SH_DIR8WPZ";
            case 7: return "R_SH_DIR8BP";
            case 8: return "R_SH_DIR8W";
            case 9: return "R_SH_DIR8L";
            case 25: return "R_SH_SWITCH16";
            case 26: return "R_SH_SWITCH32";
            case 27: return "R_SH_USES";
            case 28: return "R_SH_COUNT";
            case 29: return "R_SH_ALIGN";
            case 30: return "R_SH_CODE";
            case 31: return "R_SH_DATA";
            case 32: return "R_SH_LABEL";
            case 33: return "R_SH_SWITCH8";
            case 34: return "R_SH_GNU_VTINHERIT";
            case 35: return "R_SH_GNU_VTENTRY";
            case 162: return "R_SH_COPY";
            default:
                return t >= 144 && t <= 152 ? "TLS relocation type " + t : "relocation type " + t;
        }
    }
}
