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
 * ARM, little-endian, REL. As modutils lays it out: a {@code .got} (align 8, 4-byte entries, one
 * per GOT32 symbol; slot 0 reserved when GOTPC/GOTOFF come first) and a {@code .plt} (align 8) of
 * one 8-byte stub {@code ldr pc,[pc,#-4]; .word sym} per symbol that a branch relocation names. A
 * branch goes straight to its target when that is within ±32 MiB, else through the symbol's stub.
 *
 * <p>Beyond the original (which knew NONE, ABS32, PC24, PLT32, GOT32, GOTPC, GOTOFF): today's
 * CALL/JUMP24 are branches like PC24 (a CALL to a Thumb function becomes BLX), V4BX leaves the
 * {@code bx} alone (the original crashed on it), TARGET1 is ABS32, REL32, PREL31 (with
 * {@code .ARM.exidx} kept so it can be relocated), and the ARM MOVW/MOVT pairs. Thumb-2 code and the
 * rest are refused with the type's name. A branch that cannot reach its target, even through the
 * stub, is an error naming the symbol, never wrong bytes.
 */
public final class Arm implements Target {
    static final int R_ARM_NONE = 0, R_ARM_PC24 = 1, R_ARM_ABS32 = 2, R_ARM_REL32 = 3, R_ARM_GOTOFF = 24,
            R_ARM_GOTPC = 25, R_ARM_GOT32 = 26, R_ARM_PLT32 = 27, R_ARM_CALL = 28, R_ARM_JUMP24 = 29,
            R_ARM_TARGET1 = 38, R_ARM_V4BX = 40, R_ARM_PREL31 = 42, R_ARM_MOVW_ABS_NC = 43, R_ARM_MOVT_ABS = 44,
            R_ARM_MOVW_PREL_NC = 45, R_ARM_MOVT_PREL = 46;

    static final int SHT_ARM_EXIDX = 0x70000001;
    static final int PLT_ENTRY = 8;
    static final int LDR_PC_PC_MINUS_4 = 0xe51ff004;

    private LinkSection got;
    private LinkSection plt;
    /** Where the GOT32 entries start in .got (after the contents of a .got the object brought). */
    private long gotBase;

    @Override public String name() { return "arm"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return !is64 && !be && m == EM_ARM; }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return false; }
    @Override public boolean rela() { return false; }

    /** The unwind index must be relocated (PREL31), so unlike other processor sections it keeps its bytes. */
    @Override
    public void loadProcSection(LinkSection sec) {
        if (sec.type != SHT_ARM_EXIDX || (sec.flags & SHF_ALLOC) == 0) {
            sec.setContents(null);
        }
    }

    static boolean isBranch(int t) {
        return t == R_ARM_PC24 || t == R_ARM_PLT32 || t == R_ARM_CALL || t == R_ARM_JUMP24;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        SlotPass.Slots s = SlotPass.run(f, (r, slots) -> {
            int t = r.type();
            if (isBranch(t)) {
                slots.pltSlot(r.symIndex() == 0 ? null : r.symbol(), PLT_ENTRY);
            } else if (t == R_ARM_GOTOFF || t == R_ARM_GOTPC) {
                if (slots.got == 0) {
                    slots.got = 4;
                }
            } else if (t == R_ARM_GOT32) {
                slots.gotSlot(r.symIndex() == 0 ? null : r.symbol(), 4);
            }
        });
        if (s.got > 0) {
            LinkSection existing = f.find(".got");
            if (existing != null) {
                // The original wrote its entries over the start of the object's own .got; ours go after it.
                gotBase = existing.extend(s.got);
                got = existing;
            } else {
                got = f.createAllocedSection(".got", 8, s.got, SHF_WRITE);
            }
        }
        if (s.plt > 0) {
            plt = f.createAllocedSection(".plt", 8, s.plt, SHF_WRITE);
        }
    }

    private static long signExtend(long v, int bits) {
        int sh = 64 - bits;
        return (v << sh) >> sh;
    }

    private static RelocResult refuse(Reloc r, String what) {
        r.detail = what + " is not supported";
        return RelocResult.UNHANDLED;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        long dot = Field.place(f, r);
        switch (r.type) {
            case R_ARM_NONE:
            case R_ARM_V4BX: // bx rN stays as it is (ld without --fix-v4bx does the same)
                return RelocResult.OK;
            case R_ARM_ABS32, R_ARM_TARGET1:
                return Field.add(f, r, 4, v);
            case R_ARM_REL32:
                return Field.add(f, r, 4, v - dot);
            case R_ARM_PREL31: {
                long insn = f.read(r.target, r.offset, 4);
                long off = signExtend(insn, 31) + v - dot;
                if (!Range.fitsSigned(off, 31)) {
                    r.detail = String.format("offset 0x%x does not fit in 31 bits", off);
                    return RelocResult.OVERFLOW;
                }
                return Field.put(f, r, 4, (insn & 0x80000000L) | (off & 0x7fffffffL));
            }
            case R_ARM_MOVW_ABS_NC, R_ARM_MOVT_ABS, R_ARM_MOVW_PREL_NC, R_ARM_MOVT_PREL:
                return movwMovt(f, r, v, dot);
            case R_ARM_GOT32:
                return Field.got32(f, r, got, gotBase, v);
            case R_ARM_GOTPC:
                return Field.gotpc(f, r, got, dot);
            case R_ARM_GOTOFF:
                return Field.gotoff(f, r, got, v);
            case R_ARM_PC24, R_ARM_PLT32, R_ARM_CALL, R_ARM_JUMP24:
                return branch(f, r, v, dot);
            case 10: return refuse(r, "R_ARM_THM_CALL (Thumb code)");
            case 30: return refuse(r, "R_ARM_THM_JUMP24 (Thumb code)");
            case 47: return refuse(r, "R_ARM_THM_MOVW_ABS_NC (Thumb code)");
            case 48: return refuse(r, "R_ARM_THM_MOVT_ABS (Thumb code)");
            case 41: return refuse(r, "R_ARM_TARGET2");
            case 96: return refuse(r, "R_ARM_GOT_PREL");
            default:
                r.detail = "relocation type " + r.type + " is not supported on arm";
                return RelocResult.UNHANDLED;
        }
    }

    /** B/BL/BLX: 24-bit word offset, straight to the target when in reach, else via the symbol's stub. */
    private RelocResult branch(ObjFile f, Reloc r, long v, long dot) {
        LinkSection t = r.target;
        long insn = f.read(t, r.offset, 4);
        long addend = signExtend(insn & 0xffffff, 24) << 2;
        Sym s = r.sym;
        if (s == null || plt == null || s.pltOffset < 0) {
            return RelocResult.DANGEROUS;
        }
        if (!s.pltDone) {
            s.pltDone = true;
            f.write(plt, s.pltOffset, 4, LDR_PC_PC_MINUS_4);
            f.write(plt, s.pltOffset + 4, 4, v);
        }
        boolean thumb = (v & 1) != 0 && stType(s.info) == STT_FUNC;
        long off = v + addend - dot;
        if (thumb) {
            // Only an unconditional BL (R_ARM_CALL) can switch to Thumb: it becomes BLX.
            if (r.type != R_ARM_CALL || (insn >>> 28) != 0xe) {
                r.detail = "branch to Thumb function " + s.name + " needs a BLX";
                return RelocResult.DANGEROUS;
            }
            off = (v & ~1L) + addend - dot;
            if (!Range.fitsSigned(off, 26)) {
                r.detail = "Thumb target out of reach of BLX";
                return RelocResult.OVERFLOW;
            }
            long h = (off >> 1) & 1;
            return Field.put(f, r, 4, 0xfa000000L | (h << 24) | ((off >> 2) & 0xffffff));
        }
        if (!Range.fitsSigned(off, 26)) {
            if (addend != -8) {
                r.detail = "branch to " + s.name + String.format("%+d", addend + 8)
                        + " is out of reach and cannot go through a stub";
                return RelocResult.OVERFLOW;
            }
            off = plt.addr + s.pltOffset + addend - dot;
            if (!Range.fitsSigned(off, 26)) {
                r.detail = "even the stub in .plt is out of reach";
                return RelocResult.OVERFLOW;
            }
        }
        if ((off & 3) != 0) {
            r.detail = "branch target not word aligned";
            return RelocResult.DANGEROUS;
        }
        return Field.put(f, r, 4, (insn & 0xff000000L) | ((off >> 2) & 0xffffff));
    }

    /** ARM-mode MOVW/MOVT: a 16-bit immediate split imm4:imm12; the REL addend is the immediate itself. */
    private static RelocResult movwMovt(ObjFile f, Reloc r, long v, long dot) {
        LinkSection t = r.target;
        long insn = f.read(t, r.offset, 4);
        long addend = signExtend(((insn >> 4) & 0xf000) | (insn & 0xfff), 16);
        long val = v + addend;
        if (r.type == R_ARM_MOVW_PREL_NC || r.type == R_ARM_MOVT_PREL) {
            val -= dot;
        }
        if (r.type == R_ARM_MOVT_ABS || r.type == R_ARM_MOVT_PREL) {
            val >>= 16;
        }
        val &= 0xffff;
        return Field.put(f, r, 4, (insn & 0xfff0f000L) | ((val & 0xf000) << 4) | (val & 0xfff));
    }
}
