package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.report.UserError;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.link.RelocResult;
import org.modutils.insmod.link.Reloc;
import org.modutils.insmod.link.Target;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.link.ObjLoader;
import org.modutils.insmod.link.Sym;
import org.modutils.insmod.link.StructModule;

/**
 * PA-RISC 64-bit (RELA, big-endian). As the original: a {@code .got} (8 bytes per symbol and
 * addend used by LTOFF21L/LTOFF14R/PCREL22F), an {@code .opd} of 32-byte descriptors (the first
 * two for init_module and cleanup_module, then one per local FPTR64 target), and a {@code .stub}
 * of 16-byte stubs for calls to the kernel or beyond the +-8 MiB branch range ({@code $$}
 * millicode gets a stub that does not touch dp). dp (gp) is the end of the {@code .got}.
 */
public final class Hppa64 implements Target {
    static final int R_NONE = 0, R_LTOFF21L = 34, R_LTOFF14R = 38, R_SEGREL32 = 49, R_FPTR64 = 64,
            R_PCREL22F = 74, R_DIR64 = 80;
    static final int SHT_PARISC_EXT = 0x70000000, SHT_PARISC_UNWIND = 0x70000001;
    static final long SHF_PARISC_SHORT = 0x20000000L;
    static final int STUB_SIZE = 16, OPD_SIZE = 32;

    /** ldd 0(dp),dp; ldd 10(dp),r1; bve (r1); ldd 18(dp),dp: the call through a .got entry. */
    static final int[] STUB_EXTERN = {0x537b0000, 0x53610020, 0xe820d000, 0x537b0030};
    /** ldil 0,r1; ldo 0(r1),r1; ldd 10(r1),r1; bve,n (r1): millicode, dp untouched. */
    static final int[] STUB_MILLICODE = {0x20200000, 0x34210000, 0x50210020, 0xe820d002};

    /** The .got, .stub and .opd slots, one per (symbol, addend); .opd begins after two reserved descriptors. */
    private final SlotPass.AddendSlots gotEntries = new SlotPass.AddendSlots(8);
    private final SlotPass.AddendSlots stubEntries = new SlotPass.AddendSlots(STUB_SIZE);
    private final SlotPass.AddendSlots opdEntries = new SlotPass.AddendSlots(OPD_SIZE);
    private LinkSection got, opd, stub;
    private long gp;

    @Override public String name() { return "hppa64"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return is64 && be && m == EM_PARISC; }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    @Override
    public void loadProcSection(LinkSection sec) {
        if (sec.type != SHT_PARISC_UNWIND) {
            sec.setContents(null);
        }
    }

    static boolean isLocal(Sym s) {
        return s.secidx <= SHN_HIRESERVE;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        opdEntries.next = 2 * OPD_SIZE;
        SlotPass.run(f, (r, slots) -> {
            int t = r.type();
            boolean needGot = t == R_LTOFF14R || t == R_LTOFF21L || t == R_PCREL22F;
            if (!(needGot || t == R_FPTR64) || r.symIndex() == 0) {
                return;
            }
            Sym s = r.symbol();
            if (s == null) {
                return;
            }
            if (t == R_PCREL22F) {
                stubEntries.take(s, r.addend());
            }
            if (needGot) {
                gotEntries.take(s, r.addend());
            }
            // One descriptor per symbol and addend (the original: per symbol, which merges
            // local functions that today's gas names as section+offset).
            if (t == R_FPTR64 && isLocal(s)) {
                opdEntries.take(s, r.addend());
            }
        });
        long flags = SHF_ALLOC | SHF_WRITE | SHF_PARISC_SHORT;
        got = f.createAllocedSection(".got", 8, gotEntries.next, flags);
        opd = f.createAllocedSection(".opd", 16, opdEntries.next, flags);
        if (stubEntries.next > 0) {
            stub = f.createAllocedSection(".stub", 16, stubEntries.next, SHF_ALLOC | SHF_EXECINSTR | SHF_PARISC_SHORT);
        }
    }

    @Override
    public void finalizeSectionAddresses(ObjFile f, long base) throws UserError {
        Target.super.finalizeSectionAddresses(f, base);
        gp = got.addr + got.size;
    }

    /** The right part of a value split as the original splits it for LTOFF (sign-adjusted low 11 bits). */
    static int patch14r(int insn, long v64) {
        int v = (int) v64;
        v = v < 0 ? v | ~0x7ff : v & 0x7ff;
        return (insn & ~0x3fff) | ((v & 0x1fff) << 1) | ((v & 0x2000) >>> 13);
    }

    /** The left 21 bits, rounded up for negative values to pair with {@link #patch14r}. */
    static int patch21l(int insn, long v64) {
        int v = (int) v64 & 0xfffff800;
        if (v < 0) {
            v += 0x800;
        }
        int bits = ((v & 0x80000000) >>> 31) | ((v & 0x7ff00000) >>> 19) | ((v & 0x000c0000) >>> 4)
                | ((v & 0x0003e000) << 3) | ((v & 0x00001800) << 1);
        return (insn & ~0x1fffff) | bits;
    }

    private RelocResult put14r2(ObjFile f, LinkSection s, long off, long v) {
        if (v > 0x1fff || v < -0x2000) {
            return RelocResult.OVERFLOW;
        }
        int insn = (int) f.read(s, off, 4);
        int w = (int) v;
        f.write(s, off, 4, (insn & ~0x3fff) | ((w & 0x2000) >>> 13) | ((w & 0x1fff) << 1));
        return RelocResult.OK;
    }

    private static RelocResult put22f(ObjFile f, LinkSection s, long off, long v) {
        if (v > 0x800000 - 1 || v < -0x800000) {
            return RelocResult.OVERFLOW;
        }
        int insn = (int) f.read(s, off, 4);
        int w = (int) v;
        int bits = ((w & 0x00800000) >>> 23) | ((w & 0x007c0000) << 3) | ((w & 0x0003e000) << 3)
                | ((w & 0x00001000) >>> 10) | ((w & 0x00000ffc) << 1);
        f.write(s, off, 4, (insn & ~0x03ff1ffd) | bits);
        return RelocResult.OK;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        long dot = (t.addr + r.offset) & ~3L;
        Sym s = r.sym;
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_LTOFF14R:
            case R_LTOFF21L: {
                SlotPass.AddendSlots.Slot ge = gotEntries.fill(f, got, s, r.addend, 8, v);
                if (ge == null) {
                    return RelocResult.DANGEROUS;
                }
                long off = got.addr + ge.offset - gp;
                int insn = (int) f.read(t, r.offset, 4);
                return Field.put(f, r, 4, r.type == R_LTOFF14R ? patch14r(insn, off) : patch21l(insn, off));
            }
            case R_PCREL22F: {
                SlotPass.AddendSlots.Slot ge = gotEntries.fill(f, got, s, r.addend, 8, v);
                if (ge == null) {
                    return RelocResult.DANGEROUS;
                }
                RelocResult ret = RelocResult.OK;
                long disp = v - dot - 8;
                if (!isLocal(s) || disp > 0x800000 - 1 || disp < -0x800000) {
                    SlotPass.AddendSlots.Slot se = stubEntries.find(s, r.addend);
                    if (se == null || stub == null) {
                        return RelocResult.DANGEROUS;
                    }
                    if (!se.done) {
                        ret = writeStub(f, r, s, (int) se.offset, ge);
                        se.done = true;
                    }
                    disp = stub.addr + se.offset - dot - 8;
                }
                if (ret == RelocResult.OK) {
                    ret = put22f(f, t, r.offset, disp);
                }
                return ret;
            }
            default:
                return applyMore(f, r, v, t, dot, s);
        }
    }

    /** The stub at {@code at} for a call to {@code s}: millicode directly, else through its .got entry {@code ge}. */
    private RelocResult writeStub(ObjFile f, Reloc r, Sym s, int at, SlotPass.AddendSlots.Slot ge) {
        if (s.name.startsWith("$$")) {
            for (int i = 0; i < 4; i++) {
                f.write(stub, at + 4L * i, 4, STUB_MILLICODE[i]);
            }
            long target = s.value;
            f.write(stub, at, 4, patch21l(STUB_MILLICODE[0], target));
            f.write(stub, at + 4, 4, patch14r(STUB_MILLICODE[1], target));
            return RelocResult.OK;
        }
        for (int i = 0; i < 4; i++) {
            f.write(stub, at + 4L * i, 4, STUB_EXTERN[i]);
        }
        RelocResult ret = put14r2(f, stub, at, got.addr + ge.offset - gp);
        if (ret != RelocResult.OK) {
            r.detail = ".got entry beyond 8K of dp";
        }
        return ret;
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, LinkSection t, long dot, Sym s) {
        switch (r.type) {
            case R_DIR64:
                return Field.put(f, r, 8, v);
            case R_SEGREL32:
                // Relative to the module base (.this), as the original. (ia64 uses section 1.)
                f.write(t, r.offset, 4, v - f.baseaddr);
                if (r.strict && !Range.fitsSigned(v - f.baseaddr, 32)) {
                    return RelocResult.OVERFLOW;
                }
                return RelocResult.OK;
            case R_FPTR64:
                if (s == null) {
                    return RelocResult.DANGEROUS;
                }
                if (isLocal(s)) {
                    SlotPass.AddendSlots.Slot oe = opdEntries.find(s, r.addend);
                    if (oe == null) {
                        return RelocResult.DANGEROUS;
                    }
                    if (!oe.done) {
                        oe.done = true;
                        f.write(opd, oe.offset + 16, 8, v);
                        f.write(opd, oe.offset + 24, 8, gp);
                    }
                    v = opd.addr + oe.offset;
                }
                return Field.put(f, r, 8, v);
            default:
                return RelocResult.UNHANDLED;
        }
    }

    @Override
    public boolean initModule(ObjFile f, LinkSection thisSection) {
        StructModule mod = new StructModule(f, thisSection);
        long init = mod.get(StructModule.INIT);
        long cleanup = mod.get(StructModule.CLEANUP);
        f.write(opd, 0, 8, 0);
        f.write(opd, 8, 8, 0);
        f.write(opd, 16, 8, init);
        if (init != 0) {
            f.write(opd, 24, 8, gp);
            mod.set(StructModule.INIT, opd.addr);
        }
        f.write(opd, 32, 8, 0);
        f.write(opd, 40, 8, 0);
        f.write(opd, 48, 8, cleanup);
        if (cleanup != 0) {
            f.write(opd, 56, 8, gp);
            mod.set(StructModule.CLEANUP, opd.addr + OPD_SIZE);
        }
        return true;
    }

    @Override
    public void archdata(ObjFile f, LinkSection sec) {
        Ia64.fillArchdata(f, sec, gp, SHT_PARISC_UNWIND);
    }
}
