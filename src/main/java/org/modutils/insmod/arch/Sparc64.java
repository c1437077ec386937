package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.ObjFile;

/**
 * 64-bit SPARC (big-endian RELA, no GOT or PLT). The relocation type is the low byte of the type
 * field; OLO10 keeps its extra addend in the upper 24 bits. The code models: medlow (HI22/LO10, and
 * HIX22/LOX10 beyond the original), medmid (H44/M44/L44), medany (HH22/HM10/LM22 and their PC forms).
 *
 * <p>At the -n dummy base the original's arithmetic is kept, as the recorded cases hold it: the
 * place is a 32-bit number, HI22 and H44 do not mask the shifted value (a 64-bit kernel address
 * spills into the opcode bits), and nothing is range checked beyond the small bit fields. For a real
 * kernel a value that the instruction cannot hold is an error naming the symbol. As on sparc, the 8-
 * and 16-bit data relocations patch their own bytes and displacements are checked as signed.
 * Beyond the original: WPLT30 (as a direct call), DISP64, UA16, HIX22, LOX10.
 */
public final class Sparc64 implements Target {
    static final int R_NONE = 0, R_8 = 1, R_16 = 2, R_32 = 3, R_DISP8 = 4, R_DISP16 = 5, R_DISP32 = 6,
            R_WDISP30 = 7, R_WDISP22 = 8, R_HI22 = 9, R_22 = 10, R_13 = 11, R_LO10 = 12, R_PC10 = 16,
            R_PC22 = 17, R_WPLT30 = 18, R_UA32 = 23, R_10 = 30, R_11 = 31, R_64 = 32, R_OLO10 = 33, R_HH22 = 34,
            R_HM10 = 35, R_LM22 = 36, R_PC_HH22 = 37, R_PC_HM10 = 38, R_PC_LM22 = 39, R_WDISP16 = 40,
            R_WDISP19 = 41, R_7 = 43, R_5 = 44, R_6 = 45, R_DISP64 = 46, R_HIX22 = 48, R_LOX10 = 49, R_H44 = 50,
            R_M44 = 51, R_L44 = 52, R_UA64 = 54, R_UA16 = 55;

    @Override public String name() { return "sparc64"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) {
        return is64 && be && (m == EM_SPARCV9 || m == 11 /* EM_SPARC64, the pre-ABI number */);
    }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        int id = r.type & 0xff;
        boolean strict = r.strict;
        long place = r.target.addr + r.offset;
        // The original held the place in an unsigned int.
        long dot = strict ? place : place & 0xffffffffL;
        long d = v - dot;
        switch (id) {
            case R_NONE:
                return RelocResult.OK;
            case R_64, R_UA64:
                return Field.put(f, r, 8, v);
            case R_DISP64:
                return Field.put(f, r, 8, d);
            case R_32, R_UA32:
                f.write(r.target, r.offset, 4, v);
                return !strict || Range.fitsBitfield(v, 32) ? RelocResult.OK : Sparc.overflow(r, v, "32 bits");
            case R_16, R_UA16:
                f.write(r.target, r.offset, 2, v);
                return Range.fitsBitfield(v, 16) ? RelocResult.OK : Sparc.overflow(r, v, "16 bits");
            case R_8:
                f.write(r.target, r.offset, 1, v);
                return Range.fitsBitfield(v, 8) ? RelocResult.OK : Sparc.overflow(r, v, "8 bits");
            case R_DISP32:
                f.write(r.target, r.offset, 4, d);
                return !strict || Range.fitsSigned(d, 32) ? RelocResult.OK
                        : Sparc.overflow(r, d, "a signed 32-bit displacement");
            case R_DISP16:
                f.write(r.target, r.offset, 2, d);
                return Range.fitsSigned(d, 16) ? RelocResult.OK : Sparc.overflow(r, d, "a signed 16-bit displacement");
            case R_DISP8:
                f.write(r.target, r.offset, 1, d);
                return Range.fitsSigned(d, 8) ? RelocResult.OK : Sparc.overflow(r, d, "a signed 8-bit displacement");
            case R_WDISP30, R_WPLT30:
                return wdisp(f, r, d, 0x3fffffffL, d >> 2, 32, strict, "a 30-bit word displacement");
            case R_WDISP22:
                return wdisp(f, r, d, 0x3fffff, d >> 2, 24, strict, "a 22-bit word displacement");
            case R_WDISP19:
                return wdisp(f, r, d, 0x7ffff, d >> 2, 21, strict, "a 19-bit word displacement");
            case R_WDISP16:
                return wdisp(f, r, d, 0x303fff, ((d << 4) & 0x300000) | ((d >> 2) & 0x3fff), 18, strict,
                        "a 16-bit word displacement");

            // medlow
            default:
                return applyMore(f, r, v, id, strict, place, dot, d);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, int id, boolean strict, long place, long dot, long d) {
        switch (id) {
            case R_LO10:
                return Field.bits(f, r, 4, 0x3ff, v);
            case R_HI22:
                if (!strict) {
                    orField(f, r, 0x3fffff, v >>> 10);
                    return RelocResult.OK;
                }
                Field.bits(f, r, 4, 0x3fffff, v >>> 10);
                return (v >>> 32) == 0 ? RelocResult.OK : Sparc.overflow(r, v, "32 bits (HI22)");
            case R_OLO10: {
                long sum = (v & 0x3ff) + (r.type >> 8);
                Field.bits(f, r, 4, 0x1fff, sum);
                return !strict || Range.fitsSigned(sum, 13) ? RelocResult.OK : Sparc.overflow(r, sum, "13 bits (OLO10)");
            }
            case R_HIX22:
                Field.bits(f, r, 4, 0x3fffff, ~v >>> 10);
                return !strict || (v >> 32) == -1 ? RelocResult.OK : Sparc.overflow(r, v, "the top 4 GB (HIX22)");
            case R_LOX10:
                return Field.bits(f, r, 4, 0x1fff, (v & 0x3ff) | 0x1c00);

            // medmid
            case R_H44:
                if (!strict) {
                    orField(f, r, 0x3fffff, v >>> 22);
                    return RelocResult.OK;
                }
                Field.bits(f, r, 4, 0x3fffff, v >>> 22);
                return (v >>> 44) == 0 ? RelocResult.OK : Sparc.overflow(r, v, "44 bits (H44)");
            case R_M44:
                return Field.bits(f, r, 4, 0x3ff, v >>> 12);
            case R_L44:
                return Field.bits(f, r, 4, 0xfff, v);

            // medany
            default:
                return applyMore2(f, r, v, id, strict, place, dot, d);
        }
    }

    /** {@link #apply}, continued further. */
    private RelocResult applyMore2(ObjFile f, Reloc r, long v, int id, boolean strict, long place, long dot, long d) {
        switch (id) {
            case R_HH22:
                return Field.bits(f, r, 4, 0x3fffff, v >>> 42);
            case R_HM10:
                return Field.bits(f, r, 4, 0x3ff, v >>> 32);
            case R_LM22:
                return Field.bits(f, r, 4, 0x3fffff, v >>> 10);
            case R_PC_HH22:
                return Field.bits(f, r, 4, 0x3fffff, d >>> 42);
            case R_PC_HM10:
                return Field.bits(f, r, 4, 0x3ff, d >>> 32);
            case R_PC_LM22:
                return Field.bits(f, r, 4, 0x3fffff, d >>> 10);

            case R_PC10:
                return Field.bits(f, r, 4, 0x3ff, d);
            case R_PC22:
                Field.bits(f, r, 4, 0x3fffff, d >>> 10);
                return !strict || Range.fitsSigned(d, 32) ? RelocResult.OK : Sparc.overflow(r, d, "32 bits (PC22)");
            default: {
                int bits = Sparc.bitfieldWidth(id);
                return bits != 0 ? bitfield(f, r, v, bits) : Sparc.unhandled(r, id);
            }
        }
    }

    /** The original's unmasked update: the whole shifted value, cut to 32 bits, is or-ed into the word. */
    private static void orField(ObjFile f, Reloc r, long mask, long bits) {
        long old = f.read(r.target, r.offset, 4);
        f.write(r.target, r.offset, 4, (old & ~mask) | (bits & 0xffffffffL));
    }

    private static RelocResult wdisp(ObjFile f, Reloc r, long d, long mask, long bits, int range, boolean strict,
            String what) {
        Field.bits(f, r, 4, mask, bits);
        if ((d & 3) != 0) {
            return RelocResult.DANGEROUS;
        }
        return !strict || Range.fitsSigned(d, range) ? RelocResult.OK : Sparc.overflow(r, d, what);
    }

    private static RelocResult bitfield(ObjFile f, Reloc r, long v, int bits) {
        Field.bits(f, r, 4, (1L << bits) - 1, v);
        return Range.fitsBitfield(v, bits) ? RelocResult.OK : Sparc.overflow(r, v, bits + " bits");
    }
}
