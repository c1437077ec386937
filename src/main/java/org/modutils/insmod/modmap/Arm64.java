package org.modutils.insmod.modmap;

import org.modutils.insmod.arch.Range;
import org.modutils.insmod.elf.Endian;

/**
 * The relocations arm64's apply_relocate_add applies to a module (arch/arm64/kernel/module.c),
 * with its overflow checks: data (ABS64/32/16, PREL64/32/16, the 16- and 32-bit ones checked as
 * the kernel checks them: absolute unsigned, place-relative signed), MOVW (UABS_G0..G3 with _NC,
 * SABS_G0..G2, PREL_G0..G3 with _NC; a signed group turns the instruction into MOVZ or MOVN),
 * LD_PREL_LO19, ADR_PREL_LO21, ADR_PREL_PG_HI21(_NC), ADD_ABS_LO12_NC, LDST8..128_ABS_LO12_NC,
 * TSTBR14, CONDBR19, JUMP26 and CALL26 (out of range: through a PLT veneer, {@link Arm64Plts}).
 * An ADRP is relocated as on a CPU without the Cortex-A53 erratum 843419 workaround, which
 * would turn ADRPs at the last two words of a page into ADR or a veneer.
 */
final class Arm64 {
    private Arm64() {}

    static final int EM_AARCH64 = 183;
    static final int R_ARM_NONE = 0, R_NONE = 256, ABS64 = 257, ABS32 = 258, ABS16 = 259, PREL64 = 260,
            PREL32 = 261, PREL16 = 262, MOVW_UABS_G0 = 263, MOVW_UABS_G0_NC = 264, MOVW_UABS_G1 = 265,
            MOVW_UABS_G1_NC = 266, MOVW_UABS_G2 = 267, MOVW_UABS_G2_NC = 268, MOVW_UABS_G3 = 269,
            MOVW_SABS_G0 = 270, MOVW_SABS_G1 = 271, MOVW_SABS_G2 = 272, LD_PREL_LO19 = 273, ADR_PREL_LO21 = 274,
            ADR_PREL_PG_HI21 = 275, ADR_PREL_PG_HI21_NC = 276, ADD_ABS_LO12_NC = 277, LDST8_ABS_LO12_NC = 278,
            TSTBR14 = 279, CONDBR19 = 280, JUMP26 = 282, CALL26 = 283, LDST16_ABS_LO12_NC = 284,
            LDST32_ABS_LO12_NC = 285, LDST64_ABS_LO12_NC = 286, MOVW_PREL_G0 = 287, MOVW_PREL_G0_NC = 288,
            MOVW_PREL_G1 = 289, MOVW_PREL_G1_NC = 290, MOVW_PREL_G2 = 291, MOVW_PREL_G2_NC = 292,
            MOVW_PREL_G3 = 293, LDST128_ABS_LO12_NC = 299;

    /** How the value is taken: S + A, S + A - P, Page(S + A) - Page(P). */
    enum Op { ABS, PREL, PAGE }

    /** The immediate fields of aarch64_insn_encode_immediate: width and lowest bit; ADR is split. */
    enum Imm {
        IMM26(26, 0), IMM19(19, 5), IMM16(16, 5), IMM14(14, 5), IMM12(12, 10), ADR(21, 0);

        final int bits, shift;

        Imm(int bits, int shift) {
            this.bits = bits;
            this.shift = shift;
        }

        int encode(int insn, long imm) {
            if (this == ADR) {
                int lo = (int) (imm & 3), hi = (int) ((imm >> 2) & 0x7ffff);
                return (insn & ~((3 << 29) | (0x7ffff << 5))) | (lo << 29) | (hi << 5);
            }
            int mask = (int) ((1L << bits) - 1);
            return (insn & ~(mask << shift)) | (((int) imm & mask) << shift);
        }
    }

    /** Where a relocation writes: the allocation's bytes, the index there, its address. */
    record Place(byte[] img, int at, long loc) {
        int insn() {
            return Endian.i32(img, at, false);
        }

        /** The low {@code bytes} (2, 4 or 8) of {@code v}, little-endian. */
        void put(long v, int bytes) {
            Endian.putWord(img, at, bytes, v, false);
        }
    }

    static long doReloc(Op op, long loc, long val) {
        return switch (op) {
            case ABS -> val;
            case PREL -> val - loc;
            case PAGE -> (val & ~0xfffL) - (loc & ~0xfffL);
        };
    }

    /** reloc_data: writes the low {@code bits}; true when the value does not fit. */
    static boolean data(Op op, Place p, long val, int bits) {
        long s = doReloc(op, p.loc(), val);
        p.put(s, bits / 8);
        if (bits == 64) {
            return false;
        }
        return op == Op.ABS ? !Range.fitsUnsigned(s, bits) : !Range.fitsSigned(s, bits);
    }

    /** reloc_insn_movw: the 16 bits at {@code lsb}; {@code signed}: MOVZ or MOVN by the sign. */
    static boolean movw(Op op, Place p, long val, int lsb, boolean signed) {
        int insn = p.insn();
        long s = doReloc(op, p.loc(), val);
        long imm = s >> lsb;
        if (signed) {
            insn &= ~(3 << 29);
            if (s >= 0) {
                insn |= 2 << 29;
            } else {
                imm = ~imm;
            }
        }
        p.put(Imm.IMM16.encode(insn, imm), 4);
        return !Range.fitsUnsigned(imm, 16);
    }

    /** reloc_insn_imm: {@code len} bits from bit {@code lsb} of the value; true when the rest is not the sign. */
    static boolean imm(Op op, Place p, long val, int lsb, int len, Imm field) {
        long s = doReloc(op, p.loc(), val) >> lsb;
        long mask = ((1L << (lsb + len)) - 1) >>> lsb;
        p.put(field.encode(p.insn(), s & mask), 4);
        return !Range.fitsSigned(s, len);
    }

    /**
     * Applies relocation {@code type} with {@code val} = S + A at {@code p}. {@code plt} makes the
     * veneer of an out-of-range branch (null: none can be made). Returns normally or throws the
     * kernel's refusal.
     */
    static void apply(String file, String sec, int type, Place p, long val, Veneers plt) throws MapException {
        boolean ovf;
        boolean check = true;
        switch (type) {
            case R_ARM_NONE, R_NONE -> ovf = false;
            case ABS64 -> { check = false; ovf = data(Op.ABS, p, val, 64); }
            case ABS32 -> ovf = data(Op.ABS, p, val, 32);
            case ABS16 -> ovf = data(Op.ABS, p, val, 16);
            case PREL64 -> { check = false; ovf = data(Op.PREL, p, val, 64); }
            case PREL32 -> ovf = data(Op.PREL, p, val, 32);
            case PREL16 -> ovf = data(Op.PREL, p, val, 16);
            case MOVW_UABS_G0_NC, MOVW_UABS_G1_NC, MOVW_UABS_G2_NC, MOVW_UABS_G3 -> {
                check = false;
                ovf = movw(Op.ABS, p, val, type == MOVW_UABS_G3 ? 48 : (type - MOVW_UABS_G0_NC) * 8, false);
            }
            case MOVW_UABS_G0, MOVW_UABS_G1, MOVW_UABS_G2 -> ovf = movw(Op.ABS, p, val, (type - MOVW_UABS_G0) * 8, false);
            case MOVW_SABS_G0, MOVW_SABS_G1, MOVW_SABS_G2 -> ovf = movw(Op.ABS, p, val, (type - MOVW_SABS_G0) * 16, true);
            case MOVW_PREL_G0_NC, MOVW_PREL_G1_NC, MOVW_PREL_G2_NC -> {
                check = false;
                ovf = movw(Op.PREL, p, val, (type - MOVW_PREL_G0_NC) * 8, false);
            }
            case MOVW_PREL_G0, MOVW_PREL_G1, MOVW_PREL_G2 -> ovf = movw(Op.PREL, p, val, (type - MOVW_PREL_G0) * 8, true);
            case MOVW_PREL_G3 -> { check = false; ovf = movw(Op.PREL, p, val, 48, true); }
            default -> {
                Boolean o = applyImm(type, p, val, plt);
                if (o == null) {
                    throw new MapException(file + ": " + sec + ": unsupported RELA relocation: " + type
                            + " (the arm64 kernel refuses the module)");
                }
                check = type != ADR_PREL_PG_HI21_NC && !isLo12(type);
                ovf = o;
            }
        }
        if (check && ovf) {
            throw new MapException(file + ": " + sec + ": overflow in relocation type " + type + " val "
                    + Long.toHexString(val) + " (the arm64 kernel refuses the module)");
        }
    }

    private static boolean isLo12(int type) {
        return type == ADD_ABS_LO12_NC || type == LDST8_ABS_LO12_NC || type == LDST16_ABS_LO12_NC
                || type == LDST32_ABS_LO12_NC || type == LDST64_ABS_LO12_NC || type == LDST128_ABS_LO12_NC;
    }

    /** The immediate-field relocations: overflow or not; null for a type the kernel does not know. */
    private static Boolean applyImm(int type, Place p, long val, Veneers plt) throws MapException {
        return switch (type) {
            case LD_PREL_LO19, CONDBR19 -> imm(Op.PREL, p, val, 2, 19, Imm.IMM19);
            case ADR_PREL_LO21 -> imm(Op.PREL, p, val, 0, 21, Imm.ADR);
            case ADR_PREL_PG_HI21, ADR_PREL_PG_HI21_NC -> imm(Op.PAGE, p, val, 12, 21, Imm.ADR);
            case ADD_ABS_LO12_NC, LDST8_ABS_LO12_NC -> imm(Op.ABS, p, val, 0, 12, Imm.IMM12);
            case LDST16_ABS_LO12_NC -> imm(Op.ABS, p, val, 1, 11, Imm.IMM12);
            case LDST32_ABS_LO12_NC -> imm(Op.ABS, p, val, 2, 10, Imm.IMM12);
            case LDST64_ABS_LO12_NC -> imm(Op.ABS, p, val, 3, 9, Imm.IMM12);
            case LDST128_ABS_LO12_NC -> imm(Op.ABS, p, val, 4, 8, Imm.IMM12);
            case TSTBR14 -> imm(Op.PREL, p, val, 2, 14, Imm.IMM14);
            case JUMP26, CALL26 -> {
                boolean o = imm(Op.PREL, p, val, 2, 26, Imm.IMM26);
                if (o) {
                    o = imm(Op.PREL, p, plt.veneer(p.loc(), val), 2, 26, Imm.IMM26);
                }
                yield o;
            }
            default -> null;
        };
    }

    /** module_emit_plt_entry: the address of a veneer that branches to {@code val}, for a branch at {@code loc}. */
    interface Veneers {
        long veneer(long loc, long val) throws MapException;
    }

    /** The PLT entry get_plt_entry makes: ADRP x16, ADD x16, BR x16 (12 bytes). */
    static void pltEntry(Place p, long dst) {
        long off = (dst & ~0xfffL) - (p.loc() & ~0xfffL);
        int adrp;
        if (off < -(1L << 32) || off >= (1L << 32)) {
            adrp = 0xd4202000; // AARCH64_BREAK_FAULT, as aarch64_insn_gen_adr returns out of range
        } else {
            adrp = Imm.ADR.encode(0x90000010, off >> 12);
        }
        int add = 0x91000000 | (int) (dst & 0xfff) << 10 | 16 << 5 | 16;
        p.put(adrp & 0xffffffffL, 4);
        new Place(p.img(), p.at() + 4, p.loc() + 4).put(add & 0xffffffffL, 4);
        new Place(p.img(), p.at() + 8, p.loc() + 8).put(0xd61f0200L, 4);
    }
}
