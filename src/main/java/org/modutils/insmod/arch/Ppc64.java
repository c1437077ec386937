package org.modutils.insmod.arch;

import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.report.UserError;
import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
 * 64-bit PowerPC, the big-endian ELFv1 ABI of 2.4 kernels (RELA): function descriptors in
 * {@code .opd}, code symbols named with a leading dot, a TOC whose base is {@code .toc} + 0x8000.
 *
 * As modutils does: the kernel exports descriptors, so an undefined {@code .foo} is satisfied by
 * the kernel's (or another module's) {@code foo}. Every distinct (symbol, addend) a REL24 calls
 * that way gets an 8-byte TOC entry appended to {@code .toc} (created when absent, not writable)
 * holding the descriptor's address, and a 24-byte stub in {@code .stub} that loads the descriptor,
 * saves r2 and jumps; the nop after the call becomes {@code ld r2,40(r1)}. The kernel reports only
 * the low 32 bits of addresses to a 32-bit insmod, so kernel symbols are ORed with the kernel base
 * (0xC000...) and module symbols and module addresses with the module base (0xD000...), both
 * changeable by {@code __kernel_base_hi/lo} and {@code __module_base_hi/lo} kernel symbols.
 *
 * Beyond the original: a relocation type it does not know is named in the error (the original
 * printed a bare r_info number), the TOC16/ADDR16 variants and REL32/REL64/ADDR32/HIGHER/HIGHEST
 * of today's gcc (-mcmodel=medium) are applied, and a REL24 against a plain (non-dot) kernel
 * descriptor symbol, which today's assemblers emit, goes through a stub as well.
 */
public final class Ppc64 implements Target {
    static final int R_NONE = 0, R_ADDR32 = 1, R_ADDR24 = 2, R_ADDR16 = 3, R_ADDR16_LO = 4, R_ADDR16_HI = 5,
            R_ADDR16_HA = 6, R_ADDR14 = 7, R_ADDR14_BRTAKEN = 8, R_ADDR14_BRNTAKEN = 9, R_REL24 = 10, R_REL14 = 11,
            R_REL14_BRTAKEN = 12, R_REL14_BRNTAKEN = 13, R_UADDR32 = 24, R_UADDR16 = 25, R_REL32 = 26,
            R_ADDR64 = 38, R_ADDR16_HIGHER = 39, R_ADDR16_HIGHERA = 40, R_ADDR16_HIGHEST = 41,
            R_ADDR16_HIGHESTA = 42, R_UADDR64 = 43, R_REL64 = 44, R_TOC16 = 47, R_TOC16_LO = 48, R_TOC16_HI = 49,
            R_TOC16_HA = 50, R_TOC = 51, R_ADDR16_DS = 56, R_ADDR16_LO_DS = 57, R_TOC16_DS = 63,
            R_TOC16_LO_DS = 64, R_TOCSAVE = 109, R_REL16 = 249, R_REL16_LO = 250, R_REL16_HI = 251,
            R_REL16_HA = 252;

    /** ld r12,0(r2); std r2,40(r1); ld r0,0(r12); ld r2,8(r12); mtctr r0; bctr. */
    private static final long[] STUB = {0xe9820000L, 0xf8410028L, 0xe80c0000L, 0xe84c0008L, 0x7c0903a6L, 0x4e800420L};
    static final int STUB_SIZE = 24;
    static final long LD_R2_40_R1 = 0xe8410028L;
    static final int KERNEL_IDX = SHN_HIRESERVE + 1;

    private final Map<Sym, Sym> opdSym = new IdentityHashMap<>();
    /** Where each .opd descriptor's code is: offset in .opd to {symbol, addend} of its ADDR64. */
    private final Map<Long, Object[]> opdEntries = new java.util.HashMap<>();
    private int opdIndex = -1;
    /** The TOC entries that hold a called descriptor's address, per (symbol, addend); each has a stub at offset / 8 * 24. */
    private final SlotPass.AddendSlots got = new SlotPass.AddendSlots(8);
    private LinkSection toc;
    private LinkSection stub;
    /** Offset in .toc where the entries insmod adds begin. */
    private long gotStart;
    private long myTocBase;
    private long kernelBase = 0xCL << 60;
    private long moduleBase = 0xDL << 60;

    @Override public String name() { return "ppc64"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return is64 && be && m == EM_PPC64; }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    @Override
    public long moduleAddressBits(ObjFile f) {
        return moduleBase;
    }

    /** ppc64_adjust_symval: the high bits the kernel did not report. */
    private long adjust(Sym s, long v) {
        if (s == null) {
            return v;
        }
        if (s.secidx == KERNEL_IDX) {
            return v | kernelBase;
        }
        if (s.secidx > KERNEL_IDX) {
            return v | moduleBase;
        }
        return v;
    }

    /** ppc64_process_syms: ties undefined code symbols to kernel descriptors; reads the bases. */
    private void processSyms(ObjFile f) {
        f.symbols().forEach(s -> {
            if (s.name.startsWith(".") && s.secidx == SHN_UNDEF) {
                Sym d = f.findSymbol(s.name.substring(1));
                if (d != null && d.secidx >= KERNEL_IDX) {
                    opdSym.put(s, d);
                    s.secidx = d.secidx; // defined elsewhere: keeps it off the unresolved list
                }
            }
        });
        Sym s = f.findSymbol("__kernel_base_hi");
        if (s != null && s.secidx != SHN_UNDEF) {
            kernelBase = s.value << 32;
        }
        s = f.findSymbol("__kernel_base_lo");
        if (s != null && s.secidx != SHN_UNDEF) {
            kernelBase = (kernelBase & ~0xffffffffL) | (s.value & 0xffffffffL);
        }
        s = f.findSymbol("__module_base_hi");
        if (s != null && s.secidx != SHN_UNDEF) {
            moduleBase = s.value << 32;
        }
        s = f.findSymbol("__module_base_lo");
        if (s != null && s.secidx != SHN_UNDEF) {
            moduleBase = (moduleBase & ~0xffffffffL) | (s.value & 0xffffffffL);
        }
    }

    /** The descriptor a call to {@code s} goes through, or null for a call inside the module. */
    private Sym descriptorOf(Sym s) {
        Sym d = opdSym.get(s);
        if (d == null && s.secidx > SHN_HIRESERVE && !s.name.startsWith(".")) {
            d = s; // a call straight to an exported descriptor symbol (no dot-symbol ABI)
        }
        return d;
    }

    private static boolean known(int t) {
        switch (t) {
            case R_NONE: case R_ADDR32: case R_ADDR24: case R_ADDR16: case R_ADDR16_LO: case R_ADDR16_HI:
            case R_ADDR16_HA: case R_ADDR14: case R_ADDR14_BRTAKEN: case R_ADDR14_BRNTAKEN: case R_REL24:
            case R_REL14: case R_REL14_BRTAKEN: case R_REL14_BRNTAKEN: case R_UADDR32: case R_UADDR16:
            case R_REL32: case R_ADDR64: case R_ADDR16_HIGHER: case R_ADDR16_HIGHERA: case R_ADDR16_HIGHEST:
            case R_ADDR16_HIGHESTA: case R_UADDR64: case R_REL64: case R_TOC16: case R_TOC16_LO: case R_TOC16_HI:
            case R_TOC16_HA: case R_TOC: case R_ADDR16_DS: case R_ADDR16_LO_DS: case R_TOC16_DS:
            case R_TOC16_LO_DS: case R_TOCSAVE: case R_REL16: case R_REL16_LO: case R_REL16_HI: case R_REL16_HA:
                return true;
            default:
                return false;
        }
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        processSyms(f);
        List<String> errors = new ArrayList<>();
        SlotPass.run(f, (r, slots) -> classify(f, r, errors));
        long gotOffset = got.next;
        toc = f.find(".toc");
        if (gotOffset != 0) {
            long total = (toc != null ? toc.size : 0) + gotOffset;
            if (total > 0xffff) {
                errors.add(".toc section overflow (" + total + ")");
            }
        }
        if (!errors.isEmpty()) {
            throw new UserError(errors);
        }
        if (gotOffset != 0) {
            if (toc != null) {
                gotStart = toc.extend(gotOffset);
            } else {
                toc = f.createAllocedSection(".toc", 8, gotOffset, SHF_ALLOC);
                gotStart = 0;
            }
            stub = f.createAllocedSection(".stub", 4, gotOffset / 8 * STUB_SIZE, SHF_ALLOC | SHF_EXECINSTR);
        }
    }

    /** An unknown type is refused; .opd's descriptors are noted; a call through a descriptor gets a TOC entry. */
    private void classify(ObjFile f, SlotPass.Relocation r, List<String> errors) {
        int t = r.type();
        if (!known(t)) {
            errors.add("relocation type " + t + " (" + typeName(t) + ") in " + r.section().name + " is not handled");
            return;
        }
        int symndx = r.symIndex();
        if (t == R_ADDR64 && symndx != 0 && r.target().name.equals(".opd")) {
            opdIndex = r.target().index;
            opdEntries.put(r.offset(), new Object[] {r.symbol(), r.addend()});
        }
        if (t != R_REL24 || symndx == 0 || stBind(r.symbols().info()[symndx]) == STB_LOCAL) {
            return;
        }
        Sym s = r.symbolByName();
        Sym d = s == null ? null : descriptorOf(s);
        if (d != null && d.secidx != SHN_UNDEF) {
            got.take(s, r.addend());
        }
    }

    @Override
    public void finalizeSectionAddresses(ObjFile f, long base) throws UserError {
        Target.super.finalizeSectionAddresses(f, base);
        if (toc != null) {
            myTocBase = toc.addr + 0x8000;
        }
    }

    /** The low 16 bits with the two low bits of the field kept (DS form); true when v is misaligned. */
    private static boolean putDs(ObjFile f, LinkSection sec, long off, long v) {
        long old = f.read(sec, off, 2);
        f.write(sec, off, 2, (old & 3) | (v & 0xfffc));
        return (v & 3) != 0;
    }

    /** v + 0x8000 > 0xffff, unsigned: the TOC-relative offset does not fit in 16 signed bits. */
    private static boolean toc16Overflows(long v) {
        return Long.compareUnsigned(v + 0x8000, 0xffff) > 0;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        long dot = t.addr + r.offset;
        switch (r.type) {
            case R_NONE, R_TOCSAVE:
                return RelocResult.OK;
            case R_ADDR16_HA:
                return Field.put16(f, r, (v + 0x8000) >>> 16);
            case R_ADDR16_HI:
                return Field.put16(f, r, v >>> 16);
            case R_ADDR16_LO:
                return Field.put16(f, r, v);
            case R_ADDR16_LO_DS:
                return putDs(f, t, r.offset, v) ? RelocResult.OVERFLOW : RelocResult.OK;
            case R_ADDR16_HIGHER:
                return Field.put16(f, r, v >>> 32);
            case R_ADDR16_HIGHERA:
                return Field.put16(f, r, (v + 0x8000) >>> 32);
            case R_ADDR16_HIGHEST:
                return Field.put16(f, r, v >>> 48);
            case R_ADDR16_HIGHESTA:
                return Field.put16(f, r, (v + 0x8000) >>> 48);
            case R_ADDR16, R_UADDR16:
                Field.put16(f, r, v);
                return Range.checkBitfield(r, v, 16);
            case R_ADDR16_DS:
                if (putDs(f, t, r.offset, v)) {
                    return RelocResult.OVERFLOW;
                }
                return Range.checkInt(r, v, 16);
            case R_ADDR32, R_UADDR32:
                f.write(t, r.offset, 4, v);
                return Range.checkBitfield(r, v, 32);
            case R_ADDR64, R_UADDR64:
                return Field.put(f, r, 8, adjust(r.sym, v));
            case R_REL32:
                f.write(t, r.offset, 4, v - dot);
                return Range.checkInt(r, v - dot, 32);
            case R_REL64:
                return Field.put(f, r, 8, v - dot);
            case R_REL16:
                Field.put16(f, r, v - dot);
                return Range.checkInt(r, v - dot, 16);
            case R_REL16_LO:
                return Field.put16(f, r, v - dot);
            case R_REL16_HI:
                return Field.put16(f, r, (v - dot) >>> 16);
            default:
                return applyMore(f, r, v, t, dot);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, LinkSection t, long dot) {
        switch (r.type) {
            case R_REL16_HA:
                return Field.put16(f, r, (v - dot + 0x8000) >>> 16);
            case R_TOC:
                return Field.put(f, r, 8, myTocBase);
            case R_TOC16: {
                long d = v - myTocBase;
                Field.put16(f, r, d);
                return toc16Overflows(d) ? RelocResult.OVERFLOW : RelocResult.OK;
            }
            case R_TOC16_DS: {
                long d = v - myTocBase;
                boolean bad = putDs(f, t, r.offset, d);
                return bad || toc16Overflows(d) ? RelocResult.OVERFLOW : RelocResult.OK;
            }
            case R_TOC16_LO:
                return Field.put16(f, r, v - myTocBase);
            case R_TOC16_LO_DS:
                return putDs(f, t, r.offset, v - myTocBase) ? RelocResult.OVERFLOW : RelocResult.OK;
            case R_TOC16_HI:
                return Field.put16(f, r, (v - myTocBase) >>> 16);
            case R_TOC16_HA:
                return Field.put16(f, r, (v - myTocBase + 0x8000) >>> 16);
            case R_ADDR24:
                return Field.misaligned(f, r, 0x03fffffcL, v) ? RelocResult.DANGEROUS
                        : Range.checkInt(r, v, 26);
            case R_ADDR14, R_ADDR14_BRTAKEN, R_ADDR14_BRNTAKEN:
                return Field.misaligned(f, r, 0xfffcL, v) ? RelocResult.DANGEROUS
                        : Range.checkInt(r, v, 16);
            case R_REL14, R_REL14_BRTAKEN:
            case R_REL14_BRNTAKEN: {
                long d = v - dot;
                return Field.misaligned(f, r, 0xfffcL, d) ? RelocResult.DANGEROUS
                        : Range.checkInt(r, d, 16);
            }
            case R_REL24:
                return rel24(f, r, v, dot);
            default:
                r.detail = typeName(r.type) + " is not supported";
                return RelocResult.UNHANDLED;
        }
    }

    private RelocResult rel24(ObjFile f, Reloc r, long v, long dot) {
        if (r.sym == null) {
            r.detail = "a branch needs a symbol";
            return RelocResult.DANGEROUS;
        }
        RelocResult ret = RelocResult.OK;
        SlotPass.AddendSlots.Slot ge = got.find(r.sym, r.addend);
        if (ge != null) {
            long stubOffset = (long) ge.offset / 8 * STUB_SIZE;
            if (!ge.done) {
                ge.done = true;
                Sym d = descriptorOf(r.sym);
                long desc = adjust(d, d.value);
                long at = gotStart + ge.offset;
                f.write(toc, at, 8, desc);
                for (int i = 0; i < STUB.length; i++) {
                    f.write(stub, stubOffset + 4L * i, 4, STUB[i]);
                }
                long tocOffset = at - 0x8000;
                boolean bad = putDs(f, stub, stubOffset + 2, tocOffset);
                if (bad || toc16Overflows(tocOffset)) {
                    ret = RelocResult.OVERFLOW;
                }
            }
            v = stub.addr + stubOffset;
        } else if (r.sym.secidx == opdIndex && opdIndex >= 0) {
            // A branch to a descriptor of this module (today's assemblers, no dot symbols): go to its code.
            Object[] code = opdEntries.get(r.sym.value + r.addend);
            if (code == null || code[0] == null) {
                r.detail = "branch to .opd+0x" + Long.toHexString(r.sym.value + r.addend) + ", which is no descriptor";
                return RelocResult.DANGEROUS;
            }
            v = f.mask(f.finalValue((Sym) code[0]) + (Long) code[1]);
        }
        long d = v - dot;
        if (Long.compareUnsigned(d + 0x2000000, 0x3ffffff) > 0 || (d & 3) != 0) {
            ret = RelocResult.OVERFLOW;
            r.verboseDetail = String.format("branch displacement 0x%x out of range", d);
        }
        Field.bits(f, r, 4, 0x03fffffcL, d);
        if (ge != null) {
            long next = 0;
            LinkSection t = r.target;
            if (r.offset + 7 < t.size) {
                next = f.read(t, r.offset + 4, 4);
            }
            if (next == 0x60000000L || next == 0x4def7b82L || next == 0x4ffffb82L) {
                f.write(t, r.offset + 4, 4, LD_R2_40_R1);
            } else if (ret == RelocResult.OK && next != LD_R2_40_R1) {
                r.verboseDetail = "the call is not followed by a nop to restore r2";
                ret = RelocResult.DANGEROUS;
            }
        }
        return ret;
    }

    static String typeName(int t) {
        switch (t) {
            case 14: return "R_PPC64_GOT16";
            case 15: return "R_PPC64_GOT16_LO";
            case 16: return "R_PPC64_GOT16_HI";
            case 17: return "R_PPC64_GOT16_HA";
            case 19: return "R_PPC64_COPY";
            case 20: return "R_PPC64_GLOB_DAT";
            case 21: return "R_PPC64_JMP_SLOT";
            case 22: return "R_PPC64_RELATIVE";
            case 45: return "R_PPC64_PLT64";
            case 46: return "R_PPC64_PLTREL64";
            case 52: return "R_PPC64_PLTGOT16";
            case 58: return "R_PPC64_GOT16_DS";
            case 59: return "R_PPC64_GOT16_LO_DS";
            case 60: return "R_PPC64_PLT16_LO_DS";
            case 61: return "R_PPC64_SECTOFF_DS";
            case 62: return "R_PPC64_SECTOFF_LO_DS";
            case 65: return "R_PPC64_PLTGOT16_DS";
            case 66: return "R_PPC64_PLTGOT16_LO_DS";
            case 67: return "R_PPC64_TLS";
            case 107: return "R_PPC64_TLSGD";
            case 108: return "R_PPC64_TLSLD";
            case 110: return "R_PPC64_ADDR16_HIGH";
            case 111: return "R_PPC64_ADDR16_HIGHA";
            case 116: return "R_PPC64_REL24_NOTOC";
            case 117: return "R_PPC64_ADDR64_LOCAL";
            case 118: return "R_PPC64_ENTRY";
            case 248: return "R_PPC64_JMP_IREL";
            case 253: return "R_PPC64_REL16DX_HA";
            default:
                if (t >= 67 && t <= 106) {
                    return "R_PPC64 thread-local type " + t;
                }
                return "R_PPC64 type " + t;
        }
    }
}
