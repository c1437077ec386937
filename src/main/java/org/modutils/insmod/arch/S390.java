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
 * S/390, 31-bit (big-endian RELA); {@link S390x} is the 64-bit variant of the same code.
 *
 * <p>As the original: a {@code .got} (one word per symbol used through a GOT relocation, created
 * also for GOTPC/GOTOFF, with a local {@code _GLOBAL_OFFSET_TABLE_} at its start) and a writable
 * {@code .plt} with one stub per symbol called through a PLT relocation ({@code basr 1,0; l 1,6(1);
 * br 1; .long sym}, 12 bytes; on 64-bit {@code basr 1,0; lg 1,10(1); br 1; .quad sym}, 20 bytes);
 * every PLT call goes through the stub. Fields are added to, not replaced.
 *
 * <p>Where the original went wrong, the psABI formula is used: the addend counts in PLT32, GOTPC,
 * GOTPCDBL and the GOT offsets (the original assumed 0 or 2), a GOT slot holds the symbol's value,
 * GOTENT is PC-relative, RELATIVE adds the addend, GOTOFF patches 32 bits (the 64-bit original wrote 64), GOT12/GOT16 offsets
 * are range checked, a pre-existing {@code .got} keeps its contents. Beyond the original (31-bit):
 * PC32DBL, PLT32DBL, GOTPCDBL and GOTENT, which gcc emits for z900 and later; on both: 12, 20,
 * GOT20, GOTOFF16/64, GOTPLT* (as GOT: a module has no lazy binding). For a real kernel, a PC-relative
 * field that cannot reach its target is an error naming the symbol; at the -n dummy base it is
 * truncated as the original did.
 */
public class S390 implements Target {
    static final int R_NONE = 0, R_8 = 1, R_12 = 2, R_16 = 3, R_32 = 4, R_PC32 = 5, R_GOT12 = 6, R_GOT32 = 7,
            R_PLT32 = 8, R_GLOB_DAT = 10, R_JMP_SLOT = 11, R_RELATIVE = 12, R_GOTOFF32 = 13, R_GOTPC = 14,
            R_GOT16 = 15, R_PC16 = 16, R_PC16DBL = 17, R_PLT16DBL = 18, R_PC32DBL = 19, R_PLT32DBL = 20,
            R_GOTPCDBL = 21, R_64 = 22, R_PC64 = 23, R_GOT64 = 24, R_PLT64 = 25, R_GOTENT = 26, R_GOTOFF16 = 27,
            R_GOTOFF64 = 28, R_GOTPLT12 = 29, R_GOTPLT16 = 30, R_GOTPLT32 = 31, R_GOTPLT64 = 32,
            R_GOTPLTENT = 33, R_20 = 57, R_GOT20 = 58, R_GOTPLT20 = 59;

    private final boolean wide;
    private LinkSection got;
    private LinkSection plt;
    /** Where this link's own GOT entries start in .got (after the contents of an existing .got). */
    private long gotBase;

    public S390() {
        this(false);
    }

    S390(boolean wide) {
        this.wide = wide;
    }

    @Override public String name() { return wide ? "s390x" : "s390"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) {
        return is64 == wide && be && (m == EM_S390 || m == EM_S390_OLD);
    }
    @Override public boolean is64() { return wide; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    private int word() {
        return wide ? 8 : 4;
    }

    private int pltEntrySize() {
        return wide ? 20 : 12;
    }

    static boolean isPlt(int t, boolean wide) {
        return t == R_PLT16DBL || t == R_PLT32 || t == R_PLT32DBL || (wide && t == R_PLT64);
    }

    static boolean isGotEntry(int t, boolean wide) {
        switch (t) {
            case R_GOT12: case R_GOT16: case R_GOT32: case R_GOTENT: case R_GOT20:
            case R_GOTPLT12: case R_GOTPLT16: case R_GOTPLT32: case R_GOTPLTENT: case R_GOTPLT20:
                return true;
            case R_GOT64: case R_GOTPLT64:
                return wide;
            default:
                return false;
        }
    }

    static boolean needsGotOnly(int t, boolean wide) {
        return t == R_GOTPC || t == R_GOTPCDBL || t == R_GOTOFF32 || t == R_GOTOFF16 || (wide && t == R_GOTOFF64);
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        SlotPass.Slots s = SlotPass.run(f, (r, slots) -> {
            int t = r.type();
            if (needsGotOnly(t, wide)) {
                slots.gotNeeded = true;
                return;
            }
            boolean p = isPlt(t, wide), g = !p && isGotEntry(t, wide);
            int symndx = r.symIndex();
            if ((!p && !g) || symndx == 0 || symndx >= r.symbols().name().length) {
                return;
            }
            if (p) {
                slots.pltSlot(r.symbol(), pltEntrySize());
            } else {
                slots.gotSlot(r.symbol(), word());
            }
        });
        if (s.got > 0 || s.gotNeeded) {
            got = f.find(".got");
            if (got == null) {
                got = f.createAllocedSection(".got", word(), s.got, SHF_WRITE);
            } else {
                gotBase = got.extend(s.got);
            }
            Sym gotsym = f.symbols().add("_GLOBAL_OFFSET_TABLE_", -1, stInfo(STB_LOCAL, STT_OBJECT), got.index, 0, 0);
            gotsym.secidx = got.index;
        }
        if (s.plt > 0) {
            plt = f.createAllocedSection(".plt", 8, s.plt, SHF_WRITE);
        }
    }

    /** Adds {@code delta} to the {@code size}-byte field; for a real kernel the sum must fit. */
    private static RelocResult add(ObjFile f, Reloc r, int size, long delta, boolean signed, boolean check) {
        long old = f.read(r.target, r.offset, size);
        long full = (signed ? signExtend(old, size * 8) : old) + delta;
        f.write(r.target, r.offset, size, full);
        if (check && size < 8 && !(signed ? Range.fitsSigned(full, size * 8) : Range.fitsBitfield(full, size * 8))) {
            r.detail = String.format("0x%x does not fit in %d bits", full, size * 8);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** Adds a halved PC-relative distance; odd distances cannot be encoded. */
    private static RelocResult addDbl(ObjFile f, Reloc r, int size, long dist, boolean check) {
        if ((dist & 1) != 0) {
            r.detail = String.format("odd distance 0x%x", dist);
            return RelocResult.DANGEROUS;
        }
        return add(f, r, size, dist >> 1, true, check);
    }

    static long signExtend(long v, int bits) {
        int sh = 64 - bits;
        return (v << sh) >> sh;
    }


    /** The 12-bit displacement in the low bits of the halfword at the field. */
    private static RelocResult put12(ObjFile f, Reloc r, long v, boolean unsigned) {
        long old = f.read(r.target, r.offset, 2);
        f.write(r.target, r.offset, 2, (old & 0xf000) | (v & 0xfff));
        if (unsigned ? !Range.fitsUnsigned(v, 12) : !Range.fitsBitfield(v, 12)) {
            r.detail = String.format("0x%x does not fit in 12 bits", v);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** The signed 20-bit long displacement (DL in bits 8-19, DH in bits 20-27 of the word). */
    private static RelocResult put20(ObjFile f, Reloc r, long v) {
        long old = f.read(r.target, r.offset, 4);
        f.write(r.target, r.offset, 4, (old & 0xf00000ffL) | ((v & 0xfff) << 16) | ((v & 0xff000) >> 4));
        if (!Range.fitsSigned(v, 20)) {
            r.detail = String.format("0x%x does not fit in 20 bits", v);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        int w = word();
        long dot = f.mask(r.target.addr + r.offset);
        long a = r.addend;
        boolean strict = r.strict;
        Sym s = r.sym;
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_8:
                return add(f, r, 1, v, false, true);
            case R_12:
                return put12(f, r, v + (f.read(r.target, r.offset, 2) & 0xfff), false);
            case R_16:
                return add(f, r, 2, v, false, true);
            case R_32:
                return add(f, r, 4, v, false, strict || !wide);
            case R_20:
                return put20(f, r, v);
            case R_64:
                if (!wide) {
                    return unhandled(r);
                }
                return add(f, r, 8, v, false, false);
            case R_PC16:
                return add(f, r, 2, dist(v - dot), true, strict);
            case R_PC32:
                return add(f, r, 4, dist(v - dot), true, strict && wide);
            case R_PC64:
                if (!wide) {
                    return unhandled(r);
                }
                return add(f, r, 8, v - dot, true, false);
            case R_PC16DBL:
                return addDbl(f, r, 2, dist(v - dot), strict);
            case R_PC32DBL:
                return addDbl(f, r, 4, dist(v - dot), strict && wide);
            case R_GLOB_DAT, R_JMP_SLOT:
                f.write(r.target, r.offset, w, v);
                return RelocResult.OK;
            case R_RELATIVE:
                // B + A; the original left out the addend, where RELA objects keep the value.
                f.write(r.target, r.offset, w, f.read(r.target, r.offset, w) + f.baseaddr + a);
                return RelocResult.OK;

            default:
                return applyMore(f, r, v, w, dot, a, strict, s);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, int w, long dot, long a, boolean strict, Sym s) {
        switch (r.type) {
            case R_PLT16DBL, R_PLT32, R_PLT32DBL:
            case R_PLT64: {
                if (r.type == R_PLT64 && !wide) {
                    return unhandled(r);
                }
                if (s == null || plt == null || s.pltOffset < 0) {
                    return RelocResult.DANGEROUS;
                }
                if (!s.pltDone) {
                    s.pltDone = true;
                    long at = s.pltOffset;
                    if (wide) {
                        f.write(plt, at, 4, 0x0d10e310L);   // basr %r1,0; lg %r1,10(%r1)
                        f.write(plt, at + 4, 4, 0x100a0004L);
                        f.write(plt, at + 8, 4, 0x07f10000L); // br %r1
                        f.write(plt, at + 12, 8, f.finalValue(s));
                    } else {
                        f.write(plt, at, 4, 0x0d105810L);   // basr %r1,0; l %r1,6(%r1)
                        f.write(plt, at + 4, 4, 0x100607f1L); // br %r1
                        f.write(plt, at + 8, 4, f.finalValue(s));
                    }
                }
                long d = dist(plt.addr + s.pltOffset + a - dot);
                switch (r.type) {
                    case R_PLT16DBL:
                        return put(f, r, 2, d >> 1, true);
                    case R_PLT32DBL:
                        return put(f, r, 4, d >> 1, true);
                    case R_PLT32:
                        return put(f, r, 4, d, true);
                    default:
                        return put(f, r, 8, d, true);
                }
            }

            case R_GOTPC:
                if (got == null) {
                    return RelocResult.DANGEROUS;
                }
                return add(f, r, w, dist(got.addr + a - dot), true, false);
            case R_GOTPCDBL:
                if (got == null) {
                    return RelocResult.DANGEROUS;
                }
                return addDbl(f, r, 4, dist(got.addr + a - dot), strict && wide);
            default:
                return applyMore2(f, r, v, w, dot, a, strict, s);
        }
    }

    /** {@link #apply}, continued further. */
    private RelocResult applyMore2(ObjFile f, Reloc r, long v, int w, long dot, long a, boolean strict, Sym s) {
        switch (r.type) {
            case R_GOTOFF16, R_GOTOFF32, R_GOTOFF64:
                if (got == null || (r.type == R_GOTOFF64 && !wide)) {
                    return got == null ? RelocResult.DANGEROUS : unhandled(r);
                }
                return add(f, r, r.type == R_GOTOFF16 ? 2 : r.type == R_GOTOFF32 ? 4 : 8, dist(v - got.addr), true,
                        r.type == R_GOTOFF16 || strict);

            case R_GOT12: case R_GOT16: case R_GOT20: case R_GOT32: case R_GOT64: case R_GOTENT:
            case R_GOTPLT12: case R_GOTPLT16: case R_GOTPLT20: case R_GOTPLT32: case R_GOTPLT64: case R_GOTPLTENT: {
                if (!isGotEntry(r.type, wide)) {
                    return unhandled(r);
                }
                if (s == null || got == null || s.gotOffset < 0) {
                    return RelocResult.DANGEROUS;
                }
                long g = gotBase + s.gotOffset;
                SlotPass.fillOnce(f, got, g, s, w, f.finalValue(s));
                switch (r.type) {
                    case R_GOT12, R_GOTPLT12:
                        return put12(f, r, g + a, true);
                    case R_GOT20, R_GOTPLT20:
                        return put20(f, r, g + a);
                    case R_GOT16, R_GOTPLT16:
                        return put(f, r, 2, g + a, false);
                    case R_GOT32, R_GOTPLT32:
                        return put(f, r, 4, g + a, false);
                    case R_GOT64, R_GOTPLT64:
                        return put(f, r, 8, g + a, false);
                    default: // GOTENT, GOTPLTENT
                        return addDbl(f, r, 4, dist(got.addr + g + a - dot), strict && wide);
                }
            }
            default:
                return unhandled(r);
        }
    }

    /** Writes a value the relocation computes in full (PLT and GOT offsets); it must fit. */
    private static RelocResult put(ObjFile f, Reloc r, int size, long v, boolean signed) {
        f.write(r.target, r.offset, size, v);
        if (size < 8 && !(signed ? Range.fitsSigned(v, size * 8) : Range.fitsBitfield(v, size * 8))) {
            r.detail = String.format("0x%x does not fit in %d bits", v, size * 8);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** A PC- or GOT-relative distance: on 31-bit, addresses wrap at 4 GiB. */
    private long dist(long x) {
        return wide ? x : signExtend(x & 0xffffffffL, 32);
    }

    private RelocResult unhandled(Reloc r) {
        r.detail = typeName(r.type) + " is not supported in " + (wide ? "64" : "31") + "-bit modules";
        return RelocResult.UNHANDLED;
    }

    static String typeName(int t) {
        switch (t) {
            case 9: return "R_390_COPY";
            case R_64: return "R_390_64";
            case R_PC64: return "R_390_PC64";
            case R_GOT64: return "R_390_GOT64";
            case R_PLT64: return "R_390_PLT64";
            case R_GOTOFF64: return "R_390_GOTOFF64";
            case R_GOTPLT64: return "R_390_GOTPLT64";
            case 34: return "R_390_PLTOFF16";
            case 35: return "R_390_PLTOFF32";
            case 36: return "R_390_PLTOFF64";
            case 61: return "R_390_IRELATIVE";
            case 62: return "R_390_PC12DBL";
            case 63: return "R_390_PLT12DBL";
            case 64: return "R_390_PC24DBL";
            case 65: return "R_390_PLT24DBL";
            default:
                if (t >= 37 && t <= 56 || t == 60) {
                    return "R_390_TLS_* (" + t + ")";
                }
                return "type " + t;
        }
    }
}
