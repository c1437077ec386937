package org.modutils.insmod.arch;

import org.modutils.insmod.report.UserError;
import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.link.StructModule;

/**
 * IA-64 (RELA, little-endian). As the original: {@code .got} (8 bytes per symbol and addend used
 * by LTOFF*), {@code .opd} (16-byte descriptors: init_module, cleanup_module, then one per local
 * function whose address is taken), and for calls to the kernel or out of +-16 MiB a
 * {@code .plt} stub with its {@code .IA_64.pltoff} data (local: a 32-byte stub and a 16-byte
 * descriptor; kernel: a 48-byte stub and the 8-byte address of the kernel's descriptor). All
 * four are "short" (gp-relative) sections; gp is chosen from the layout as the original (and
 * GNU ld) does. Objects built with -mconstant-gp are refused.
 */
public final class Ia64 implements Target {
    static final int R_NONE = 0x00, R_IMM14 = 0x21, R_IMM22 = 0x22, R_IMM64 = 0x23, R_DIR32MSB = 0x24,
            R_DIR32LSB = 0x25, R_DIR64MSB = 0x26, R_DIR64LSB = 0x27, R_GPREL22 = 0x2a, R_GPREL64I = 0x2b,
            R_GPREL32LSB = 0x2d, R_GPREL64LSB = 0x2f, R_LTOFF22 = 0x32, R_LTOFF64I = 0x33, R_PLTOFF22 = 0x3a,
            R_PLTOFF64I = 0x3b, R_PLTOFF64LSB = 0x3f, R_FPTR64I = 0x43, R_FPTR32LSB = 0x45, R_FPTR64LSB = 0x47,
            R_PCREL21B = 0x49, R_PCREL21M = 0x4a, R_PCREL21F = 0x4b, R_PCREL32LSB = 0x4d, R_PCREL64LSB = 0x4f,
            R_LTOFF_FPTR22 = 0x52, R_LTOFF_FPTR64I = 0x53, R_LTOFF_FPTR32LSB = 0x55, R_LTOFF_FPTR64LSB = 0x57,
            R_SEGREL32LSB = 0x5d, R_SEGREL64LSB = 0x5f, R_SECREL32LSB = 0x65, R_SECREL64LSB = 0x67,
            R_LTOFF22X = 0x86, R_LDXMOV = 0x87;
    static final int SHT_IA_64_EXT = 0x70000000, SHT_IA_64_UNWIND = 0x70000001;
    static final long SHF_IA_64_SHORT = 0x10000000L;
    static final long EF_IA_64_CONS_GP = 0x40, EF_IA_64_NOFUNCDESC_CONS_GP = 0x80;
    static final long MASK41 = 0x1ffffffffffL;

    /** [MMI] addl r15=aa,gp;; ld8 r16=[r15],8; mov r14=gp;; [MIB] ld8 gp=[r15]; mov b6=r16; br.few b6;; */
    static final byte[] PLT_LOCAL = bytes(
            0x0b, 0x78, 0x00, 0x02, 0x00, 0x24, 0x00, 0x41, 0x3c, 0x30, 0x28, 0xc0, 0x01, 0x08, 0x00, 0x84,
            0x11, 0x08, 0x00, 0x1e, 0x18, 0x10, 0x60, 0x80, 0x04, 0x80, 0x03, 0x00, 0x60, 0x00, 0x80, 0x00);
    /**
     * [MMI] addl r16=aa,gp;; ld8 r15=[r16]; nop.i;; [MMI] ld8 r16=[r15],8;; ld8 gp=[r15]; mov b6=r16;;
     * [MIB] nop.m; nop.i; br.few b6;;
     */
    static final byte[] PLT_EXTERN = bytes(
            0x0b, 0x80, 0x00, 0x02, 0x00, 0x24, 0xf0, 0x00, 0x40, 0x30, 0x20, 0x00, 0x00, 0x00, 0x04, 0x00,
            0x0b, 0x80, 0x20, 0x1e, 0x18, 0x14, 0x10, 0x00, 0x3c, 0x30, 0x20, 0xc0, 0x00, 0x09, 0x00, 0x07,
            0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x60, 0x00, 0x80, 0x00);

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /**
     * The .got entries, the .plt stubs (with their .IA_64.pltoff data as second part) and the
     * .opd descriptors, one per (symbol, addend); .opd begins after init_module's and cleanup_module's.
     */
    private final SlotPass.AddendSlots gotEntries = new SlotPass.AddendSlots(8);
    private final SlotPass.AddendSlots pltEntries = new SlotPass.AddendSlots(0);
    private final SlotPass.AddendSlots opdEntries = new SlotPass.AddendSlots(16);
    private LinkSection got, opd, pltt, pltd;
    private long gp;
    private boolean constantGp;

    @Override public String name() { return "ia64"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return is64 && !be && m == EM_IA_64; }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return false; }
    @Override public boolean rela() { return true; }
    @Override public long shortSectionFlag() { return SHF_IA_64_SHORT; }

    @Override
    public void loadProcSection(LinkSection sec) {
        if (sec.type != SHT_IA_64_UNWIND) {
            sec.setContents(null);
        }
    }

    static boolean isLocal(Sym s) {
        return s.secidx <= SHN_HIRESERVE;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        constantGp = (f.elf.flags() & (EF_IA_64_CONS_GP | EF_IA_64_NOFUNCDESC_CONS_GP)) != 0;
        opdEntries.next = 32;
        SlotPass.run(f, (r, slots) -> classify(r));
        long flags = SHF_WRITE | SHF_IA_64_SHORT;
        got = f.createAllocedSection(".got", 8, gotEntries.next, flags);
        opd = f.createAllocedSection(".opd", 16, opdEntries.next, flags);
        if (pltEntries.next > 0) {
            pltt = f.createAllocedSection(".plt", 16, pltEntries.next, flags);
            pltd = f.createAllocedSection(".IA_64.pltoff", 16, pltEntries.nextData, flags);
        }
    }

    /** What one relocation needs: a GOT entry (LTOFF), a descriptor (FPTR), a PLT stub (PLTOFF, PCREL21). */
    private void classify(SlotPass.Relocation r) {
        boolean needGot = false, needOpd = false, needPlt = false;
        switch (r.type()) {
            case R_FPTR64I, R_FPTR32LSB, R_FPTR64LSB -> needOpd = true;
            case R_LTOFF22, R_LTOFF22X, R_LTOFF64I -> needGot = true;
            case R_LTOFF_FPTR22, R_LTOFF_FPTR64I, R_LTOFF_FPTR32LSB, R_LTOFF_FPTR64LSB -> {
                needGot = true;
                needOpd = true;
            }
            case R_PLTOFF22, R_PLTOFF64I, R_PLTOFF64LSB, R_PCREL21B, R_PCREL21M, R_PCREL21F -> needPlt = true;
            default -> {
                return;
            }
        }
        Sym s = r.symIndex() == 0 ? null : r.symbol();
        if (s == null) {
            return;
        }
        boolean local = isLocal(s);
        if (needPlt) {
            pltEntries.take(s, r.addend(), local ? PLT_LOCAL.length : PLT_EXTERN.length, local ? 16 : 8);
        }
        if (needGot) {
            gotEntries.take(s, r.addend());
        }
        // One descriptor per symbol and addend: today's gas refers to local functions as
        // section+offset, so per symbol (as the original) would merge different functions.
        if (needOpd && local) {
            opdEntries.take(s, r.addend());
        }
    }

    /** arch_finalize_section_address: addresses, then a gp that reaches every short section. */
    @Override
    public void finalizeSectionAddresses(ObjFile f, long base) throws UserError {
        Target.super.finalizeSectionAddresses(f, base);
        long minAddr = -1, maxAddr = 0, minShort = -1, maxShort = 0;
        for (LinkSection s : f.sections()) {
            if ((s.flags & SHF_ALLOC) == 0) {
                continue;
            }
            long lo = s.addr;
            long hi = s.addr + s.size;
            if (Long.compareUnsigned(hi, lo) < 0) {
                hi = -1;
            }
            if (Long.compareUnsigned(minAddr, lo) > 0) minAddr = lo;
            if (Long.compareUnsigned(maxAddr, hi) < 0) maxAddr = hi;
            if ((s.flags & SHF_IA_64_SHORT) != 0) {
                if (Long.compareUnsigned(minShort, lo) > 0) minShort = lo;
                if (Long.compareUnsigned(maxShort, hi) < 0) maxShort = hi;
            }
        }
        long g = got.addr;
        if (Long.compareUnsigned(maxAddr - minAddr, 0x400000) < 0 && Long.compareUnsigned(maxAddr - g, 0x200000) <= 0
                && Long.compareUnsigned(g - minAddr, 0x200000) > 0) {
            g = minAddr + 0x200000;
        } else if (maxShort != 0) {
            if (Long.compareUnsigned(maxShort - g, 0x200000) >= 0) {
                g = minShort + 0x200000;
            }
            if (Long.compareUnsigned(g, maxAddr) > 0) {
                g = maxAddr - 0x200000 + 8;
            }
        }
        if (maxShort != 0) {
            if (Long.compareUnsigned(maxShort - minShort, 0x400000) >= 0) {
                throw new UserError(String.format("short data segment overflowed (0x%x >= 0x400000)",
                        maxShort - minShort));
            } else if ((Long.compareUnsigned(g, minShort) > 0 && Long.compareUnsigned(g - minShort, 0x200000) > 0)
                    || (Long.compareUnsigned(g, maxShort) < 0 && Long.compareUnsigned(maxShort - g, 0x200000) >= 0)) {
                throw new UserError("GP does not cover short data segment");
            }
        }
        gp = g;
    }

    // Instruction slots: a bundle is 128 bits, a 5-bit template and three 41-bit slots.

    static long extract(ObjFile f, LinkSection s, long bundle, int slot) {
        long w0 = f.read(s, bundle, 8), w1 = f.read(s, bundle + 8, 8);
        return switch (slot) {
            case 0 -> (w0 >>> 5) & MASK41;
            case 1 -> ((w0 >>> 46) & 0x3ffff | (w1 << 18)) & MASK41;
            default -> (w1 >>> 23) & MASK41;
        };
    }

    static void insert(ObjFile f, LinkSection s, long bundle, int slot, long ins) {
        long in = ins & MASK41;
        long w0 = f.read(s, bundle, 8), w1 = f.read(s, bundle + 8, 8);
        switch (slot) {
            case 0 -> w0 = (w0 & 0xffffc0000000001fL) | (in << 5);
            case 1 -> {
                w0 = (w0 & 0x00003fffffffffffL) | (in << 46);
                w1 = (w1 & 0xffffffffff800000L) | (in >>> 18);
            }
            default -> w1 = (w1 & 0x00000000007fffffL) | (in << 23);
        }
        f.write(s, bundle, 8, w0);
        f.write(s, bundle + 8, 8, w1);
    }

    static RelocResult imm14(ObjFile f, LinkSection s, long bundle, int slot, long v) {
        long ins = extract(f, s, bundle, slot) & 0xffffffee07f01fffL;
        ins |= ((v & 0x2000) << 23) | ((v & 0x1f80) << 20) | ((v & 0x007f) << 13);
        insert(f, s, bundle, slot, ins);
        return v > 8191 || v < -8192 ? RelocResult.OVERFLOW : RelocResult.OK;
    }

    static RelocResult imm22(ObjFile f, LinkSection s, long bundle, int slot, long v) {
        long ins = extract(f, s, bundle, slot) & 0xffffffe000301fffL;
        ins |= ((v & 0x200000) << 15) | ((v & 0x1f0000) << 6) | ((v & 0x00ff80) << 20) | ((v & 0x00007f) << 13);
        insert(f, s, bundle, slot, ins);
        return v > 2097151 || v < -2097152 ? RelocResult.OVERFLOW : RelocResult.OK;
    }

    static RelocResult imm64(ObjFile f, LinkSection s, long bundle, int slot, long v, Reloc r) {
        // The original asserted slot 2; today's gas names the L slot (1) of the MLX bundle. Either
        // way the immediate is split over the X instruction (slot 2) and the L slot (1).
        if (slot == 0) {
            r.detail = "movl immediate in slot 0";
            return RelocResult.DANGEROUS;
        }
        long ins = extract(f, s, bundle, 2) & 0xffffffe000101fffL;
        ins |= ((v & 0x8000000000000000L) >>> 27) | (v & 0x200000) | ((v & 0x1f0000) << 6)
                | ((v & 0xff80) << 20) | ((v & 0x7f) << 13);
        insert(f, s, bundle, 2, ins);
        insert(f, s, bundle, 1, (v & 0x7fffffffffc00000L) >>> 22);
        return RelocResult.OK;
    }

    /** The three 21-bit pc-relative forms (br/call, chk.s, fchkf); v in bytes, a multiple of 16. */
    static RelocResult pcrel21(ObjFile f, LinkSection s, long bundle, int slot, long v, int type) {
        long ins = extract(f, s, bundle, slot);
        switch (type) {
            case R_PCREL21B -> ins = (ins & 0xffffffee00001fffL) | ((v & 0x1000000) << 12) | ((v & 0x0fffff0) << 9);
            case R_PCREL21M -> ins = (ins & 0xffffffee000fe03fL) | ((v & 0x1000000) << 12) | ((v & 0x0fff800) << 9)
                    | ((v & 0x00007f0) << 2);
            default -> ins = (ins & 0xffffffeffc00003fL) | ((v & 0x1000000) << 12) | ((v & 0x0fffff0) << 2);
        }
        insert(f, s, bundle, slot, ins);
        // The original never checked; the target is in the module (or its .plt), so only a module
        // over 16 MiB gets here, and the wrapped branch would go astray.
        return Range.fitsSigned(v, 25) ? RelocResult.OK : RelocResult.OVERFLOW;
    }

    private static RelocResult copy32(ObjFile f, Reloc r, long v, boolean signed) {
        f.write(r.target, r.offset, 4, v);
        // The original's 32-bit copies never saw an overflow (its check compared a 64-bit copy);
        // at the -n address that is kept, for a real kernel the value must fit.
        if (r.strict && !(signed ? Range.fitsSigned(v, 32) : Range.fitsUnsigned(v, 32))) {
            r.detail = String.format("0x%x does not fit in 32 bits", v);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** obj_ia64_generate_plt: the stub and its pltoff data for a symbol. */
    private RelocResult generatePlt(ObjFile f, Sym s, SlotPass.AddendSlots.Slot pe, long v) {
        f.write(pltd, pe.dataOffset, 8, v);
        byte[] code;
        if (isLocal(s)) {
            f.write(pltd, pe.dataOffset + 8, 8, gp);
            code = PLT_LOCAL;
        } else {
            code = PLT_EXTERN;
        }
        System.arraycopy(code, 0, pltt.contents(), (int) pe.offset, code.length);
        return imm22(f, pltt, pe.offset, 0, pltd.addr + pe.dataOffset - gp);
    }

    /** The .opd descriptor of a local function (created once), or null when it has none. */
    private Long descriptor(ObjFile f, Sym s, long addend, long v) {
        SlotPass.AddendSlots.Slot e = opdEntries.fill(f, opd, s, addend, 8, v);
        if (e == null) {
            return null;
        }
        f.write(opd, e.offset + 8, 8, gp);
        return opd.addr + e.offset;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        if (constantGp) {
            return RelocResult.CONSTANT_GP;
        }
        LinkSection t = r.target;
        long bundle = r.offset & ~3L;
        int slot = (int) (r.offset & 3);
        long dot = (t.addr + r.offset) & ~3L;
        Sym s = r.sym;
        switch (r.type) {
            case R_NONE, R_LDXMOV:
                return RelocResult.OK;
            case R_IMM14:
                return imm14(f, t, bundle, slot, v);
            case R_IMM22:
                return imm22(f, t, bundle, slot, v);
            case R_IMM64:
                return imm64(f, t, bundle, slot, v, r);
            case R_DIR32LSB:
                return copy32(f, r, v, false);
            case R_DIR64LSB:
                return Field.put(f, r, 8, v);
            case R_GPREL22:
                return imm22(f, t, bundle, slot, v - gp);
            case R_GPREL64I:
                return imm64(f, t, bundle, slot, v - gp, r);
            case R_GPREL32LSB:
                return copy32(f, r, v - gp, true);
            case R_GPREL64LSB:
                return Field.put(f, r, 8, v - gp);
            case R_LTOFF22, R_LTOFF22X, R_LTOFF64I:
                return ltoff(f, r, v, bundle, slot, dot);
            case R_PLTOFF22, R_PLTOFF64I, R_PLTOFF64LSB:
                return pltoff(f, r, v, bundle, slot, dot);
            case R_FPTR64I, R_FPTR32LSB, R_FPTR64LSB:
                return fptr(f, r, v, bundle, slot, dot);
            case R_PCREL21B, R_PCREL21M, R_PCREL21F:
                return pcrelBranch(f, r, v, bundle, slot, dot);
            case R_PCREL32LSB:
                return copy32(f, r, v - (t.addr + r.offset), true);
            case R_PCREL64LSB:
                return Field.put(f, r, 8, v - (t.addr + r.offset));
            case R_LTOFF_FPTR22, R_LTOFF_FPTR64I, R_LTOFF_FPTR32LSB, R_LTOFF_FPTR64LSB:
                return fptr(f, r, v, bundle, slot, dot);
            case R_SEGREL32LSB, R_SEGREL64LSB:
                return segrel(f, r, v, bundle, slot, dot);
            case R_SECREL32LSB, R_SECREL64LSB:
                return secrel(f, r, v, bundle, slot, dot);
            default:
                return RelocResult.UNHANDLED;
        }
    }

    /** The GP-relative offset of the GOT entry of (s, addend), filled with v on first use; null without one. */
    private Long gotEntry(ObjFile f, Sym s, long addend, long v) {
        SlotPass.AddendSlots.Slot ge = gotEntries.fill(f, got, s, addend, 8, v);
        return ge == null ? null : got.addr + ge.offset - gp;
    }

    private RelocResult ltoff(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        Sym s = r.sym;
        Long at = gotEntry(f, s, r.addend, v); // GP-relative
        if (at == null) {
            return RelocResult.DANGEROUS;
        }
        return r.type == R_LTOFF64I ? imm64(f, t, bundle, slot, at, r) : imm22(f, t, bundle, slot, at);
    }

    private RelocResult pltoff(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        Sym s = r.sym;
        SlotPass.AddendSlots.Slot pe = pltEntries.find(s, r.addend);
        if (pe == null || pltt == null) {
            return RelocResult.DANGEROUS;
        }
        if (!isLocal(s)) {
            // @pltoff wants a descriptor of the function; for a kernel function insmod only
            // knows the address of the kernel's descriptor, not its contents.
            r.detail = "@pltoff of a kernel function";
            return RelocResult.DANGEROUS;
        }
        RelocResult ret = RelocResult.OK;
        if (!pe.done) {
            pe.done = true;
            ret = generatePlt(f, s, pe, v);
        }
        // The original gave the offset of the stub's code; @pltoff is the offset of the
        // function descriptor, which for a local function is the stub's pltoff data.
        long off = pltd.addr + pe.dataOffset - gp;
        switch (r.type) {
            case R_PLTOFF22 -> ret = imm22(f, t, bundle, slot, off);
            case R_PLTOFF64I -> ret = imm64(f, t, bundle, slot, off, r);
            default -> f.write(t, r.offset, 8, off);
        }
        return ret;
    }

    /** @fptr, and @ltoff(@fptr) through a GOT entry holding the descriptor's address. */
    private RelocResult fptr(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        Sym s = r.sym;
        Long fp = s == null ? null : isLocal(s) ? descriptor(f, s, r.addend, v) : Long.valueOf(v);
        if (fp == null) {
            return RelocResult.DANGEROUS; // @fptr of a local function needs its descriptor here
        }
        v = fp;
        boolean viaGot = r.type == R_LTOFF_FPTR22 || r.type == R_LTOFF_FPTR64I || r.type == R_LTOFF_FPTR32LSB
                || r.type == R_LTOFF_FPTR64LSB;
        if (viaGot) {
            Long at = gotEntry(f, s, r.addend, v); // GP-relative
            if (at == null) {
                return RelocResult.DANGEROUS;
            }
            v = at;
        }
        return switch (r.type) {
            case R_FPTR64I, R_LTOFF_FPTR64I -> imm64(f, t, bundle, slot, v, r);
            case R_LTOFF_FPTR22 -> imm22(f, t, bundle, slot, v);
            case R_FPTR32LSB, R_LTOFF_FPTR32LSB -> copy32(f, r, v, viaGot);
            default -> {
                f.write(t, r.offset, 8, v);
                yield RelocResult.OK;
            }
        };
    }

    private RelocResult pcrelBranch(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        Sym s = r.sym;
        if (s == null) {
            return RelocResult.DANGEROUS;
        }
        long disp = v - dot;
        if (!isLocal(s) || disp > 16777215 || disp < -16777216) {
            SlotPass.AddendSlots.Slot pe = pltEntries.find(s, r.addend);
            if (pe == null || pltt == null) {
                return RelocResult.DANGEROUS;
            }
            if (!pe.done) {
                pe.done = true;
                RelocResult ret = generatePlt(f, s, pe, v);
                if (ret != RelocResult.OK) {
                    return ret;
                }
            }
            disp = pltt.addr + pe.offset - dot;
        }
        return pcrel21(f, t, bundle, slot, disp, r.type);
    }

    private RelocResult segrel(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        // One segment for a module: it starts at the object's section 1 (archdata's segment_base).
        long seg = f.sectionCount() > 1 ? f.section(1).addr : f.baseaddr;
        if (r.type == R_SEGREL32LSB) {
            return copy32(f, r, v - seg, true);
        }
        return Field.put(f, r, 8, v - seg);
    }

    private RelocResult secrel(ObjFile f, Reloc r, long v, long bundle, int slot, long dot) {
        LinkSection t = r.target;
        Sym s = r.sym;
        // Offset of the target from the start of its own section. The original wrote
        // (patched section - value), which is neither sign nor section of the psABI's @secrel.
        if (s == null || s.secidx == SHN_UNDEF || s.secidx >= SHN_LORESERVE) {
            r.detail = "@secrel needs a symbol in a section of the module";
            return RelocResult.DANGEROUS;
        }
        long off = v - f.section(s.secidx).addr;
        if (r.type == R_SECREL32LSB) {
            return copy32(f, r, off, true);
        }
        return Field.put(f, r, 8, off);
    }

    @Override
    public boolean initModule(ObjFile f, LinkSection thisSection) {
        StructModule mod = new StructModule(f, thisSection);
        long init = mod.get(StructModule.INIT);
        long cleanup = mod.get(StructModule.CLEANUP);
        f.write(opd, 0, 8, init);
        if (init != 0) {
            f.write(opd, 8, 8, gp);
            mod.set(StructModule.INIT, opd.addr);
        }
        f.write(opd, 16, 8, cleanup);
        if (cleanup != 0) {
            f.write(opd, 24, 8, gp);
            mod.set(StructModule.CLEANUP, opd.addr + 16);
        }
        return true;
    }

    @Override
    public void archdata(ObjFile f, LinkSection sec) {
        fillArchdata(f, sec, gp, SHT_IA_64_UNWIND);
    }

    /**
     * The __archdata both ia64 and hppa64 give the kernel: unw_table (0), segment_base (the
     * object's section 1), the first unwind section's start and end, and gp.
     */
    static void fillArchdata(ObjFile f, LinkSection sec, long gp, int unwindType) {
        sec.size = 40;
        sec.setContents(new byte[40]);
        long segmentBase = f.sectionCount() > 1 ? f.section(1).addr : 0;
        long unwStart = 0, unwEnd = 0;
        for (LinkSection s : f.sections()) {
            if (s.type == unwindType) {
                unwStart = s.addr;
                unwEnd = s.addr + s.size;
                break;
            }
        }
        f.write(sec, 8, 8, segmentBase);
        f.write(sec, 16, 8, unwStart);
        f.write(sec, 24, 8, unwEnd);
        f.write(sec, 32, 8, gp);
    }
}
