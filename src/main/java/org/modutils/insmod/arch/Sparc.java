package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.ObjFile;

/**
 * 32-bit SPARC (big-endian RELA, no GOT or PLT: every call is a 30-bit word displacement, which
 * reaches the whole 32-bit address space). As the original, the relocated fields replace what the
 * object holds. Where the original went wrong we do the field right: the 8- and 16-bit data
 * relocations patch their own byte or halfword (the original rewrote the low bits of a whole word
 * at that offset), displacements are checked as signed numbers, and bit fields accept what fits
 * signed or unsigned (the original rejected any negative value). Beyond the original: WPLT30 (a call
 * through the PLT, which a module does not have: applied as a direct call) and UA16.
 */
public final class Sparc implements Target {
    static final int R_NONE = 0, R_8 = 1, R_16 = 2, R_32 = 3, R_DISP8 = 4, R_DISP16 = 5, R_DISP32 = 6,
            R_WDISP30 = 7, R_WDISP22 = 8, R_HI22 = 9, R_22 = 10, R_13 = 11, R_LO10 = 12, R_PC10 = 16,
            R_PC22 = 17, R_WPLT30 = 18, R_UA32 = 23, R_10 = 30, R_11 = 31, R_WDISP16 = 40, R_WDISP19 = 41,
            R_7 = 43, R_5 = 44, R_6 = 45, R_UA16 = 55;

    @Override public String name() { return "sparc"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }

    /** The original matched EM_SPARC only; v8plus objects (EM_SPARC32PLUS, what gcc -m32 makes today) link the same way. */
    @Override public boolean accepts(int m, boolean is64, boolean be) {
        return !is64 && be && (m == EM_SPARC || m == EM_SPARC32PLUS);
    }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }



    static RelocResult overflow(Reloc r, long v, String what) {
        r.detail = String.format("0x%x does not fit in %s", v, what);
        return RelocResult.OVERFLOW;
    }

    /** The names of the relocation types we refuse, for the error message. */
    static String typeName(int t) {
        String[] names = {
            "R_SPARC_NONE", "R_SPARC_8", "R_SPARC_16", "R_SPARC_32", "R_SPARC_DISP8", "R_SPARC_DISP16",
            "R_SPARC_DISP32", "R_SPARC_WDISP30", "R_SPARC_WDISP22", "R_SPARC_HI22", "R_SPARC_22", "R_SPARC_13",
            "R_SPARC_LO10", "R_SPARC_GOT10", "R_SPARC_GOT13", "R_SPARC_GOT22", "R_SPARC_PC10", "R_SPARC_PC22",
            "R_SPARC_WPLT30", "R_SPARC_COPY", "R_SPARC_GLOB_DAT", "R_SPARC_JMP_SLOT", "R_SPARC_RELATIVE",
            "R_SPARC_UA32", "R_SPARC_PLT32", "R_SPARC_HIPLT22", "R_SPARC_LOPLT10", "R_SPARC_PCPLT32",
            "R_SPARC_PCPLT22", "R_SPARC_PCPLT10", "R_SPARC_10", "R_SPARC_11", "R_SPARC_64", "R_SPARC_OLO10",
            "R_SPARC_HH22", "R_SPARC_HM10", "R_SPARC_LM22", "R_SPARC_PC_HH22", "R_SPARC_PC_HM10",
            "R_SPARC_PC_LM22", "R_SPARC_WDISP16", "R_SPARC_WDISP19", "R_SPARC_GLOB_JMP", "R_SPARC_7",
            "R_SPARC_5", "R_SPARC_6", "R_SPARC_DISP64", "R_SPARC_PLT64", "R_SPARC_HIX22", "R_SPARC_LOX10",
            "R_SPARC_H44", "R_SPARC_M44", "R_SPARC_L44", "R_SPARC_REGISTER", "R_SPARC_UA64", "R_SPARC_UA16",
        };
        if (t >= 0 && t < names.length) {
            return names[t];
        }
        if (t >= 56 && t <= 79) {
            return "R_SPARC_TLS_* (" + t + ")";
        }
        if (t >= 80 && t <= 82) {
            return "R_SPARC_GOTDATA_* (" + t + ")";
        }
        return null;
    }

    static RelocResult unhandled(Reloc r, int type) {
        String n = typeName(type);
        r.detail = (n != null ? n : "type " + type) + " is not supported in modules";
        return RelocResult.UNHANDLED;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        v &= 0xffffffffL;
        long dot = (r.target.addr + r.offset) & 0xffffffffL;
        int d = (int) (v - dot);
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_8:
                f.write(r.target, r.offset, 1, v);
                return Range.fitsBitfield((int) v, 8) ? RelocResult.OK : overflow(r, v, "8 bits");
            case R_16, R_UA16:
                f.write(r.target, r.offset, 2, v);
                return Range.fitsBitfield((int) v, 16) ? RelocResult.OK : overflow(r, v, "16 bits");
            case R_32, R_UA32:
                return Field.put(f, r, 4, v);
            case R_DISP8:
                f.write(r.target, r.offset, 1, d);
                return Range.fitsSigned(d, 8) ? RelocResult.OK : overflow(r, d, "a signed 8-bit displacement");
            case R_DISP16:
                f.write(r.target, r.offset, 2, d);
                return Range.fitsSigned(d, 16) ? RelocResult.OK : overflow(r, d, "a signed 16-bit displacement");
            case R_DISP32:
                return Field.put(f, r, 4, d);
            case R_WDISP30, R_WPLT30:
                Field.bits(f, r, 4, 0x3fffffffL, d >> 2);
                return (d & 3) != 0 ? RelocResult.DANGEROUS : RelocResult.OK;
            case R_WDISP22:
                Field.bits(f, r, 4, 0x3fffff, d >> 2);
                if ((d & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                return !r.strict || Range.fitsSigned(d, 24) ? RelocResult.OK : overflow(r, d, "a 22-bit word displacement");
            case R_WDISP19:
                Field.bits(f, r, 4, 0x7ffff, d >> 2);
                if ((d & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                return !r.strict || Range.fitsSigned(d, 21) ? RelocResult.OK : overflow(r, d, "a 19-bit word displacement");
            default:
                return applyMore(f, r, v, dot, d);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, long dot, int d) {
        switch (r.type) {
            case R_WDISP16:
                Field.bits(f, r, 4, 0x303fff, ((d << 4) & 0x300000) | ((d >> 2) & 0x3fff));
                if ((d & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                return !r.strict || Range.fitsSigned(d, 18) ? RelocResult.OK : overflow(r, d, "a 16-bit word displacement");
            case R_HI22:
                return Field.bits(f, r, 4, 0x3fffff, v >>> 10);
            case R_LO10:
                return Field.bits(f, r, 4, 0x3ff, v);
            case R_PC10:
                return Field.bits(f, r, 4, 0x3ff, d);
            case R_PC22:
                return Field.bits(f, r, 4, 0x3fffff, (d & 0xffffffffL) >>> 10);
            default: {
                int bits = bitfieldWidth(r.type);
                return bits != 0 ? bitfield(f, r, v, bits) : unhandled(r, r.type);
            }
        }
    }

    /** The width of the plain bit-field types (R_SPARC_22, 13, 11, 10, 7, 6, 5), else 0. */
    static int bitfieldWidth(int type) {
        switch (type) {
            case R_22: return 22;
            case R_13: return 13;
            case R_11: return 11;
            case R_10: return 10;
            case R_7: return 7;
            case R_6: return 6;
            case R_5: return 5;
            default: return 0;
        }
    }

    private static RelocResult bitfield(ObjFile f, Reloc r, long v, int bits) {
        Field.bits(f, r, 4, (1L << bits) - 1, v);
        return Range.fitsBitfield((int) v, bits) ? RelocResult.OK : overflow(r, v, bits + " bits");
    }
}
