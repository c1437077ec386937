package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;

/**
 * m68k (RELA, big-endian): absolute and PC-relative fields of 8, 16 and 32 bits, stored (not
 * added), with the original's overflow checks on the narrow ones; no GOT. Beyond the original:
 * PLT8/16/32, which a non-PIC module resolves straight to the function like PC8/16/32.
 */
public final class M68k implements Target {
    static final int R_68K_NONE = 0, R_68K_32 = 1, R_68K_16 = 2, R_68K_8 = 3, R_68K_PC32 = 4, R_68K_PC16 = 5,
            R_68K_PC8 = 6, R_68K_PLT32 = 13, R_68K_PLT16 = 14, R_68K_PLT8 = 15, R_68K_RELATIVE = 22;

    @Override public String name() { return "m68k"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return !is64 && be && m == EM_68K; }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        long loc = r.offset;
        long dot = f.mask(t.addr + r.offset);
        RelocResult ok = RelocResult.OK;
        switch (r.type) {
            case R_68K_NONE:
                return ok;
            case R_68K_8:
                if (v > 0xff) {
                    ok = overflow(r, v, "unsigned 8");
                }
                f.write(t, loc, 1, v);
                return ok;
            case R_68K_16:
                if (v > 0xffff) {
                    ok = overflow(r, v, "unsigned 16");
                }
                f.write(t, loc, 2, v);
                return ok;
            case R_68K_32:
                f.write(t, loc, 4, v);
                return ok;
            case R_68K_PC8:
            case R_68K_PLT8: {
                long d = (int) (v - dot);
                if (!Range.fitsSigned(d, 8)) {
                    ok = overflow(r, d, "signed 8");
                }
                f.write(t, loc, 1, d);
                return ok;
            }
            case R_68K_PC16:
            case R_68K_PLT16: {
                long d = (int) (v - dot);
                if (!Range.fitsSigned(d, 16)) {
                    ok = overflow(r, d, "signed 16");
                }
                f.write(t, loc, 2, d);
                return ok;
            }
            case R_68K_PC32, R_68K_PLT32:
                f.write(t, loc, 4, v - dot);
                return ok;
            case R_68K_RELATIVE:
                f.write(t, loc, 4, f.read(t, loc, 4) + f.baseaddr);
                return ok;
            default:
                r.detail = typeName(r.type) + " is not supported on m68k";
                return RelocResult.UNHANDLED;
        }
    }

    private static RelocResult overflow(Reloc r, long v, String field) {
        r.detail = String.format("0x%x does not fit in %s bits", v & 0xffffffffL, field);
        return RelocResult.OVERFLOW;
    }

    static String typeName(int t) {
        switch (t) {
            case 7: return "R_68K_GOT32";
            case 8: return "R_68K_GOT16";
            case 9: return "R_68K_GOT8";
            case 10: return "R_68K_GOT32O";
            case 11: return "R_68K_GOT16O";
            case 12: return "R_68K_GOT8O";
            case 16: return "R_68K_PLT32O";
            case 17: return "R_68K_PLT16O";
            case 18: return "R_68K_PLT8O";
            case 19: return "R_68K_COPY";
            case 20: return "R_68K_GLOB_DAT";
            case 21: return "R_68K_JMP_SLOT";
            case 23: return "R_68K_GNU_VTINHERIT";
            case 24: return "R_68K_GNU_VTENTRY";
            default:
                return t >= 25 && t <= 44 ? "TLS relocation type " + t : "relocation type " + t;
        }
    }
}
