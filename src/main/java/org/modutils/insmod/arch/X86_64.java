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

/**
 * x86_64 (RELA). As the original, a field is added to (not replaced), and at the -n dummy base
 * 32-bit fields silently truncate; for a real kernel an overflow is an error. Beyond the
 * original: PLT32 (today's gcc emits it for every call), PC64, and a working .got for
 * GOTPCREL/GOT32 (the original never built one for RELA objects and crashed).
 */
public final class X86_64 implements Target {
    static final int R_NONE = 0, R_64 = 1, R_PC32 = 2, R_GOT32 = 3, R_PLT32 = 4, R_GLOB_DAT = 6, R_JUMP_SLOT = 7,
            R_RELATIVE = 8, R_GOTPCREL = 9, R_32 = 10, R_32S = 11, R_16 = 12, R_PC16 = 13, R_8 = 14, R_PC8 = 15,
            R_PC64 = 24, R_GOTPCRELX = 41, R_REX_GOTPCRELX = 42;

    private LinkSection got;

    @Override public String name() { return "x86_64"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return is64 && !be && m == EM_X86_64; }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return false; }
    @Override public boolean rela() { return true; }

    private static boolean usesGot(int t) {
        return t == R_GOT32 || t == R_GOTPCREL || t == R_GOTPCRELX || t == R_REX_GOTPCRELX;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        SlotPass.Slots s = SlotPass.run(f, (r, slots) -> {
            if (usesGot(r.type())) {
                slots.gotSlot(r.symbol(), 8);
            }
        });
        if (s.got > 0) {
            got = f.createAllocedSection(".got", 8, s.got, SHF_WRITE);
        }
    }

    /** Adds {@code delta} to the field, as the original does; for a real kernel the sum must fit. */
    private static RelocResult add(ObjFile f, Reloc r, int size, long delta, boolean signed) {
        long old = f.read(r.target, r.offset, size);
        long full = (signed ? signExtend(old, size) : old) + delta;
        f.write(r.target, r.offset, size, full);
        if (r.strict && size < 8 && !(signed ? Range.fitsSigned(full, size * 8) : Range.fitsUnsigned(full, size * 8))) {
            r.detail = String.format("0x%x does not fit in %s %d bits", full, signed ? "signed" : "unsigned", size * 8);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    private static long signExtend(long v, int size) {
        int sh = 64 - size * 8;
        return (v << sh) >> sh;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        long dot = r.target.addr + r.offset;
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_64:
                return Field.add(f, r, 8, v);
            case R_32:
                return add(f, r, 4, v, false);
            case R_32S:
                return add(f, r, 4, v, true);
            case R_16:
                return add(f, r, 2, v, false);
            case R_8:
                return add(f, r, 1, v, false);
            case R_PC32, R_PLT32:
                return add(f, r, 4, v - dot, true);
            case R_PC16:
                return add(f, r, 2, v - dot, true);
            case R_PC8:
                return add(f, r, 1, v - dot, true);
            case R_PC64:
                return Field.add(f, r, 8, v - dot);
            case R_GLOB_DAT, R_JUMP_SLOT:
                return Field.put(f, r, 8, v);
            case R_RELATIVE:
                return Field.add(f, r, 8, f.baseaddr);
            case R_GOT32, R_GOTPCREL, R_GOTPCRELX:
            case R_REX_GOTPCRELX: {
                Sym s = r.sym;
                if (s == null || got == null || s.gotOffset < 0) {
                    return RelocResult.DANGEROUS;
                }
                long symValue = f.finalValue(s);
                SlotPass.fillOnce(f, got, s.gotOffset, s, 8, symValue);
                if (r.type == R_GOT32) {
                    return add(f, r, 4, s.gotOffset + r.addend, true);
                }
                return add(f, r, 4, got.addr + s.gotOffset + r.addend - dot, true);
            }
            default:
                return RelocResult.UNHANDLED;
        }
    }
}
