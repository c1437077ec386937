package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

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
 * 32-bit MIPS, big endian ("mips") or little endian ("mipsel"), REL relocations, no GOT.
 *
 * <p>As the original: R_MIPS_32, R_MIPS_26 (same 256 MiB region, reported as an overflow even at
 * the -n base), and R_MIPS_HI16 paired with the R_MIPS_LO16 that follows it, whose sign-extended
 * low half completes the addend. .reginfo and .mdebug keep their place in the image but not their
 * bytes; __archdata holds the start and end of __dbe_table.
 *
 * <p>Beyond the original: a HI16 is paired with the next LO16 of the same value (the original
 * took the next LO16 of any value and aborted on a mismatch), a HI16 with no LO16 after it is an
 * error (the original left it unrelocated); R_MIPS_16, R_MIPS_PC16, R_MIPS_PC32 and the
 * R_MIPS_JALR hint are applied; .MIPS.abiflags is loaded as it is; GP- and GOT-relative types are
 * refused by name.
 */
public final class Mips implements Target {
    static final int R_MIPS_NONE = 0, R_MIPS_16 = 1, R_MIPS_32 = 2, R_MIPS_REL32 = 3, R_MIPS_26 = 4,
            R_MIPS_HI16 = 5, R_MIPS_LO16 = 6, R_MIPS_GPREL16 = 7, R_MIPS_LITERAL = 8, R_MIPS_GOT16 = 9,
            R_MIPS_PC16 = 10, R_MIPS_CALL16 = 11, R_MIPS_GPREL32 = 12, R_MIPS_JALR = 37, R_MIPS_PC32 = 248;

    static final int SHT_MIPS_LIBLIST = 0x70000000, SHT_MIPS_CONFLICT = 0x70000002, SHT_MIPS_GPTAB = 0x70000003,
            SHT_MIPS_UCODE = 0x70000004, SHT_MIPS_DEBUG = 0x70000005, SHT_MIPS_REGINFO = 0x70000006,
            SHT_MIPS_OPTIONS = 0x7000000d, SHT_MIPS_DWARF = 0x7000001e, SHT_MIPS_EVENTS = 0x70000021,
            SHT_MIPS_ABIFLAGS = 0x7000002a;

    /** EM_MIPS_RS4_BE in modutils' headers (the same number as EM_MIPS_RS3_LE). */
    static final int EM_MIPS_RS4_BE = 10;

    private final boolean bigEndian;

    public Mips(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    @Override public String name() { return bigEndian ? "mips" : "mipsel"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) {
        return !is64 && be == bigEndian && (m == EM_MIPS || m == EM_MIPS_RS4_BE);
    }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return bigEndian; }
    @Override public boolean rela() { return false; }

    @Override
    public String procSectionError(LinkSection sec) {
        switch (sec.type) {
            case SHT_MIPS_DEBUG, SHT_MIPS_REGINFO, SHT_MIPS_ABIFLAGS:
                return null;
            case SHT_MIPS_LIBLIST, SHT_MIPS_CONFLICT, SHT_MIPS_GPTAB, SHT_MIPS_UCODE, SHT_MIPS_OPTIONS:
            case SHT_MIPS_DWARF, SHT_MIPS_EVENTS:
                return String.format("Unhandled section header type: %08x", sec.type);
            default:
                return String.format("Unknown section header type: %08x", sec.type);
        }
    }

    @Override
    public void loadProcSection(LinkSection sec) {
        // .reginfo and .mdebug are of no use in the kernel: their space stays, their bytes do not.
        // .MIPS.abiflags (today's assemblers) is kept as it is.
        if (sec.type != SHT_MIPS_ABIFLAGS) {
            sec.setContents(null);
        }
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        long loc = r.offset;
        long dot = f.mask(t.addr + r.offset);
        // _gp_disp is the PIC GP of a shared object; modules have none.
        if (r.sym != null && r.sym.name.equals("_gp_disp")) {
            r.detail = "_gp_disp: modules are not PIC";
            return RelocResult.UNHANDLED;
        }
        switch (r.type) {
            case R_MIPS_NONE:
            case R_MIPS_JALR: // a hint that the jalr calls this symbol; the instruction needs nothing
                return RelocResult.OK;
            case R_MIPS_32:
                return Field.add(f, r, 4, v);
            case R_MIPS_26: {
                RelocResult ret = RelocResult.OK;
                if ((v & 3) != 0) {
                    ret = RelocResult.DANGEROUS;
                }
                if ((v & 0xf0000000L) != ((dot + 4) & 0xf0000000L)) {
                    ret = RelocResult.OVERFLOW;
                    r.detail = String.format("R_MIPS_26 from 0x%08x cannot reach 0x%08x in another 256 MiB region",
                            dot, v);
                }
                if (ret != RelocResult.OK) {
                    return ret;
                }
                long insn = f.read(t, loc, 4);
                return Field.put(f, r, 4, (insn & ~0x03ffffffL) | ((insn + (v >>> 2)) & 0x03ffffffL));
            }
            case R_MIPS_HI16:
                return hi16(f, r, v);
            case R_MIPS_LO16: {
                long insn = f.read(t, loc, 4);
                long vallo = ((insn & 0xffff) ^ 0x8000) - 0x8000;
                return Field.put(f, r, 4, (insn & ~0xffffL) | ((v + vallo) & 0xffff));
            }
            default:
                return applyMore(f, r, v, t, loc, dot);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, LinkSection t, long loc, long dot) {
        switch (r.type) {
            case R_MIPS_16: {
                // The low half of a 32-bit word (as binutils lays it out), a signed 16-bit S + A.
                long insn = f.read(t, loc, 4);
                long val = (v + (((insn & 0xffff) ^ 0x8000) - 0x8000)) & 0xffffffffL;
                if (!Range.fitsSigned((val ^ 0x80000000L) - 0x80000000L, 16)) {
                    r.detail = "R_MIPS_16 value 0x" + Long.toHexString(val) + " does not fit in 16 bits";
                    return RelocResult.OVERFLOW;
                }
                return Field.put(f, r, 4, (insn & ~0xffffL) | (val & 0xffff));
            }
            case R_MIPS_PC16: {
                long insn = f.read(t, loc, 4);
                long addend = (((insn & 0xffff) ^ 0x8000) - 0x8000) << 2;
                long off = (((v + addend - dot) & 0xffffffffL) ^ 0x80000000L) - 0x80000000L; // the addend holds the -4
                if ((off & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                if (!Range.fitsSigned(off, 18)) {
                    r.detail = "R_MIPS_PC16 branch beyond 128 KiB";
                    return RelocResult.OVERFLOW;
                }
                return Field.put(f, r, 4, (insn & ~0xffffL) | ((off >> 2) & 0xffff));
            }
            case R_MIPS_PC32:
                return Field.add(f, r, 4, v - dot);
            case R_MIPS_REL32:
                r.detail = "R_MIPS_REL32 is a dynamic relocation";
                return RelocResult.UNHANDLED;
            case R_MIPS_GPREL16, R_MIPS_GPREL32, R_MIPS_LITERAL:
                r.detail = typeName(r.type) + ": modules have no GP (build with -G 0)";
                return RelocResult.UNHANDLED;
            case R_MIPS_GOT16, R_MIPS_CALL16:
                r.detail = typeName(r.type) + ": modules are not PIC (build with -mno-abicalls -fno-pic)";
                return RelocResult.UNHANDLED;
            default:
                return RelocResult.UNHANDLED;
        }
    }

    private static String typeName(int type) {
        switch (type) {
            case R_MIPS_GPREL16: return "R_MIPS_GPREL16";
            case R_MIPS_GPREL32: return "R_MIPS_GPREL32";
            case R_MIPS_LITERAL: return "R_MIPS_LITERAL";
            case R_MIPS_GOT16: return "R_MIPS_GOT16";
            case R_MIPS_CALL16: return "R_MIPS_CALL16";
            default: return "type " + type;
        }
    }

    /**
     * R_MIPS_HI16: the carry out of the low half comes from the LO16 that completes it, the next
     * LO16 of the same section with the same symbol value. The LO16 has not been applied yet, so
     * its instruction still holds the low half of the addend.
     */
    private static RelocResult hi16(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        ElfRelocs rels = f.elfRelocs(r.relSection);
        int j = findLo16(f, r.relSection, rels, r.relIndex, v);
        if (j < 0) {
            r.detail = "R_MIPS_HI16 without a matching R_MIPS_LO16 after it";
            return RelocResult.DANGEROUS;
        }
        long lo = f.read(t, rels.offset(j), 4);
        long vallo = ((lo & 0xffff) ^ 0x8000) - 0x8000;
        long insn = f.read(t, r.offset, 4);
        long val = (((insn & 0xffff) << 16) + vallo + v) & 0xffffffffL;
        val = ((val >>> 16) + ((val & 0x8000) != 0 ? 1 : 0)) & 0xffff;
        return Field.put(f, r, 4, (insn & ~0xffffL) | val);
    }

    private static int findLo16(ObjFile f, int relSection, ElfRelocs rels, int k, long v) {
        ElfSymbols syms = f.elfSymbols(f.section(relSection).link);
        int symndx = rels.sym(k);
        for (int j = k + 1; j < rels.count(); j++) {
            if (rels.type(j) != R_MIPS_LO16) {
                continue;
            }
            int s = rels.sym(j);
            if (s == symndx) {
                return j;
            }
            long lv = 0;
            if (s != 0) {
                Sym sym = ObjLoader.relocSymbol(f, syms, s);
                if (sym == null) {
                    continue;
                }
                lv = f.finalValue(sym);
            }
            if (lv == v) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public void archdata(ObjFile f, LinkSection sec) {
        sec.size = 0;
        sec.setContents(null);
        LinkSection dbe = f.find("__dbe_table");
        if (dbe != null) {
            sec.size = 8;
            sec.setContents(new byte[8]);
            f.write(sec, 0, 4, dbe.addr);
            f.write(sec, 4, 4, f.mask(dbe.addr + dbe.size));
        }
    }
}
