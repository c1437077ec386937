package org.modutils.insmod.arch;

import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.report.UserError;
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
 * PA-RISC 32-bit (RELA, big-endian). No GOT: data is reached through the kernel's dp (the
 * value of {@code $global$}, which must be among the kernel's symbols), and every PCREL17F call
 * goes through an 8-byte stub in {@code .stub} ({@code ldil L'f,%r1; be,n R'f(%sr4,%r1)}), one
 * per symbol, created even when empty. Relocation types handled, as the original: DIR32,
 * PLABEL32, DIR21L, DIR14R, DPREL21L, DPREL14R, SEGREL32, PCREL17F.
 */
public final class Hppa implements Target {
    static final int R_NONE = 0, R_DIR32 = 1, R_DIR21L = 2, R_DIR14R = 6, R_PCREL17F = 12, R_DPREL21L = 18,
            R_DPREL14R = 22, R_SEGREL32 = 49, R_PLABEL32 = 65;

    /** ldil L'0,%r1 and be,n R'0(%sr4,%r1). */
    static final int LDIL_R1 = 0x20200000, BE_N_SR4_R1 = 0xe0202002;
    static final int STUB_SIZE = 8;

    private LinkSection stub;
    private long dp;
    private Long global;

    @Override public String name() { return "hppa"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return !is64 && be && m == EM_PARISC; }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    @Override
    public void useKernelSymbols(java.util.function.Function<String, Long> kernelSymbol) {
        global = kernelSymbol.apply("$global$");
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        stub = f.createAllocedSection(".stub", STUB_SIZE, 0, SHF_WRITE);
        SlotPass.Slots s = SlotPass.run(f, (r, slots) -> {
            if (r.type() == R_PCREL17F && r.symIndex() != 0) {
                slots.pltSlot(r.symbol(), STUB_SIZE);
            }
        });
        if (s.plt > 0) {
            stub.size = s.plt;
            stub.setContents(new byte[(int) s.plt]);
        }
    }

    @Override
    public void archdata(ObjFile f, LinkSection sec) throws UserError {
        if (global == null) {
            throw new UserError("Cannot initialise dp, '$global$' not found\n");
        }
        dp = global;
    }

    // The field selectors of the PA-RISC runtime architecture (left/right with the addend rounded).

    /** LR': the top 21 bits of symbol + the addend rounded to a multiple of 8K. */
    static int lrsel(int v, int addend) {
        int sym = v - addend;
        return (sym + ((addend + 0x1000) & -0x2000)) >>> 11;
    }

    /** RR': the low 11 bits of the symbol plus the part of the addend LR' left out. */
    static int rrsel(int v, int addend) {
        int sym = v - addend;
        return (sym & 0x7ff) + (((addend & 0x1fff) ^ 0x1000) - 0x1000);
    }

    /** The 21-bit immediate of ldil/addil, bits scrambled as the instruction holds them. */
    static int insert21(int insn, int v) {
        int bits = ((v & 0x100000) >>> 20) | ((v & 0x0ffe00) >>> 8) | ((v & 0x000180) << 7)
                | ((v & 0x00007c) << 14) | ((v & 0x000003) << 12);
        return (insn & ~0x1fffff) | bits;
    }

    /** The 14-bit immediate of ldo/ldw, sign bit lowest. */
    static int insert14(int insn, int v) {
        return (insn & ~0x3fff) | ((v & 0x1fff) << 1) | ((v & 0x2000) >>> 13);
    }

    /** The 17-bit word displacement of be/bl. */
    static int insert17(int insn, int v) {
        int bits = ((v & 0x10000) >>> 16) | ((v & 0x0f800) << 5) | ((v & 0x00400) >>> 8) | ((v & 0x003ff) << 3);
        return (insn & ~0x1f1ffd) | bits;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long value) {
        LinkSection t = r.target;
        int v = (int) value;
        int addend = (int) r.addend;
        int dot = (int) (t.addr + r.offset) & ~3;
        int insn = (int) f.read(t, r.offset, 4);
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_DIR32, R_PLABEL32:
                return Field.put(f, r, 4, v);
            case R_SEGREL32:
                return Field.put(f, r, 4, v - (int) f.baseaddr);
            case R_DIR21L:
                return Field.put(f, r, 4, insert21(insn, lrsel(v, addend)));
            case R_DIR14R:
                return Field.put(f, r, 4, insert14(insn, rrsel(v, addend)));
            case R_DPREL21L:
                return Field.put(f, r, 4, insert21(insn, lrsel(v - (int) dp, addend)));
            case R_DPREL14R:
                return Field.put(f, r, 4, insert14(insn, rrsel(v - (int) dp, addend)));
            case R_PCREL17F: {
                Sym s = r.sym;
                if (s == null || s.pltOffset < 0) {
                    return RelocResult.DANGEROUS;
                }
                if (!s.pltDone) {
                    s.pltDone = true;
                    int at = (int) s.pltOffset;
                    f.write(stub, at, 4, insert21(LDIL_R1, lrsel(v, addend)));
                    f.write(stub, at + 4, 4, insert17(BE_N_SR4_R1, rrsel(v, addend) >>> 2));
                }
                long disp = (stub.addr + s.pltOffset) - (dot & 0xffffffffL) - 8;
                if (!Range.fitsSigned(disp, 19)) {
                    // Beyond +-256K the original wrote a wrapped branch; the stub is ours, so say so.
                    r.detail = "stub out of branch range";
                    return RelocResult.OVERFLOW;
                }
                return Field.put(f, r, 4, insert17(insn, (int) disp >>> 2));
            }
            default:
                return RelocResult.UNHANDLED;
        }
    }
}
