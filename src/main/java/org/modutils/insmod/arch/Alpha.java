package org.modutils.insmod.arch;

import org.modutils.insmod.link.SlotPass;
import org.modutils.insmod.report.UserError;
import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.HashMap;
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
import org.modutils.insmod.link.StructModule;

/**
 * Alpha (64-bit, little endian, RELA). Every module gets a .got (possibly empty) whose address
 * plus 0x8000 is the module's GP, stored in struct module's gp field (struct module is 0xc0
 * bytes here). R_ALPHA_LITERAL gets one 8-byte GOT entry per symbol and addend, in the order the
 * relocations are met. GP-relative ("short") sections carry SHF_ALPHA_GPREL.
 *
 * <p>Beyond the original: REFLONG and the PC-relative SREL16/32/64 (today's .eh_frame) are
 * applied; TLS and BRSGP are refused by name; a GPDISP whose partner instruction lies outside
 * the section is an error instead of a wild write.
 */
public final class Alpha implements Target {
    static final int R_NONE = 0, R_REFLONG = 1, R_REFQUAD = 2, R_GPREL32 = 3, R_LITERAL = 4, R_LITUSE = 5,
            R_GPDISP = 6, R_BRADDR = 7, R_HINT = 8, R_SREL16 = 9, R_SREL32 = 10, R_SREL64 = 11, R_GPRELHIGH = 17,
            R_GPRELLOW = 18, R_GPREL16 = 19, R_BRSGP = 28;

    static final long SHF_ALPHA_GPREL = 0x10000000L;

    /** The .got entries of R_ALPHA_LITERAL, one per (symbol, addend). */
    private final SlotPass.AddendSlots gotEntries = new SlotPass.AddendSlots(8);
    private LinkSection got;

    @Override public String name() { return "alpha"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return is64 && !be && m == EM_ALPHA; }
    @Override public boolean is64() { return true; }
    @Override public boolean bigEndian() { return false; }
    @Override public boolean rela() { return true; }
    @Override public int moduleStructSize() { return 0xc0; }
    @Override public boolean moduleHasGp() { return true; }
    @Override public long shortSectionFlag() { return SHF_ALPHA_GPREL; }

    @Override
    public void createGot(ObjFile f) throws UserError {
        SlotPass.run(f, (r, slots) -> {
            if (r.type() == R_LITERAL && r.symIndex() != 0) {
                Sym s = r.symbol();
                if (s != null) { // else reported when the relocation is applied
                    gotEntries.take(s, r.addend());
                }
            }
        });
        long offset = gotEntries.next;
        if (offset > 0x10000) {
            throw new UserError(String.format(".got section overflow: %#x > 0x10000", offset));
        }
        // Always a .got, so that GPDISP and GPREL have a GP even without LITERAL relocations.
        got = f.createAllocedSection(".got", 8, offset, SHF_WRITE | SHF_ALPHA_GPREL);
    }

    private long gp() {
        return got.addr + 0x8000;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        LinkSection t = r.target;
        long loc = r.offset;
        long dot = Field.place(f, r);
        switch (r.type) {
            case R_NONE, R_LITUSE:
                return RelocResult.OK;
            case R_REFQUAD:
                return Field.add(f, r, 8, v);
            case R_REFLONG:
                if (!Range.fitsSigned(v, 32) && !Range.fitsUnsigned(v, 32)) {
                    r.detail = "R_ALPHA_REFLONG value 0x" + Long.toHexString(v) + " does not fit in 32 bits";
                    return RelocResult.OVERFLOW;
                }
                return Field.put(f, r, 4, v);
            case R_GPREL16: {
                long d = v - gp();
                f.write(t, loc, 2, d);
                return Range.fitsSigned(d, 16) ? RelocResult.OK : RelocResult.OVERFLOW;
            }
            case R_GPRELLOW:
                // Never overflows; the matching GPRELHIGH does.
                return Field.put(f, r, 2, v - gp());
            case R_GPRELHIGH: {
                long d = v - gp();
                long hi = (d >> 16) + ((d >>> 15) & 1);
                f.write(t, loc, 2, hi);
                return Range.fitsSigned(hi, 16) ? RelocResult.OK : RelocResult.OVERFLOW;
            }
            case R_GPREL32: {
                long d = v - gp();
                f.write(t, loc, 4, d);
                return Range.fitsSigned(d, 32) ? RelocResult.OK : RelocResult.OVERFLOW;
            }
            case R_LITERAL: {
                SlotPass.AddendSlots.Slot e = got == null ? null : gotEntries.fill(f, got, r.sym, r.addend, 8, v);
                return e == null ? RelocResult.DANGEROUS : Field.put(f, r, 2, e.offset - 0x8000);
            }
            default:
                return applyMore(f, r, v, t, loc, dot);
        }
    }

    /** {@link #apply}, continued: the types the first part does not take. */
    private RelocResult applyMore(ObjFile f, Reloc r, long v, LinkSection t, long loc, long dot) {
        switch (r.type) {
            case R_GPDISP:
                return gpdisp(f, r, dot);
            case R_BRADDR: {
                long d = v - (dot + 4);
                if ((d & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                if (d > 0x3fffffL || d < -0x400000L) {
                    r.detail = String.format("R_ALPHA_BRADDR from 0x%x cannot reach 0x%x (beyond 4 MiB)", dot, v);
                    return RelocResult.OVERFLOW;
                }
                long insn = f.read(t, loc, 4);
                return Field.put(f, r, 4, (insn & ~0x1fffffL) | ((d >> 2) & 0x1fffff));
            }
            case R_HINT: {
                long d = v - (dot + 4);
                if ((d & 3) != 0) {
                    return RelocResult.DANGEROUS;
                }
                long insn = f.read(t, loc, 4);
                return Field.put(f, r, 4, (insn & ~0x3fffL) | ((d >> 2) & 0x3fff));
            }
            case R_SREL16:
            case R_SREL32: {
                int size = r.type == R_SREL16 ? 2 : 4;
                long d = v - dot;
                if (!Range.fitsSigned(d, size * 8)) {
                    r.detail = (size == 2 ? "R_ALPHA_SREL16" : "R_ALPHA_SREL32") + " distance 0x"
                            + Long.toHexString(d) + " out of range";
                    return RelocResult.OVERFLOW;
                }
                f.write(t, loc, size, d);
                return RelocResult.OK;
            }
            case R_SREL64:
                return Field.put(f, r, 8, v - dot);
            case R_BRSGP:
                r.detail = "R_ALPHA_BRSGP (bsr to a same-GP function) is not supported";
                return RelocResult.UNHANDLED;
            default:
                if (r.type >= 29 && r.type <= 40) {
                    r.detail = "thread-local storage relocations are not supported in modules";
                }
                return RelocResult.UNHANDLED;
        }
    }

    /** R_ALPHA_GPDISP: the ldah at the offset and the lda at offset + addend load GP - dot. */
    private RelocResult gpdisp(ObjFile f, Reloc r, long dot) {
        LinkSection t = r.target;
        long ldahAt = r.offset;
        long ldaAt = r.offset + r.addend;
        if (t.contents() == null || ldaAt < 0 || ldaAt + 4 > t.contents().length || ldahAt + 4 > t.contents().length) {
            r.detail = "R_ALPHA_GPDISP pairs with an instruction outside " + t.name;
            return RelocResult.DANGEROUS;
        }
        long ldah = f.read(t, ldahAt, 4);
        long lda = f.read(t, ldaAt, 4);
        RelocResult ret = RelocResult.OK;
        if ((ldah >>> 26) != 9 || (lda >>> 26) != 8) {
            ret = RelocResult.DANGEROUS;
        }
        long v = (ldah & 0xffff) << 16 | (lda & 0xffff);
        v = (v ^ 0x80008000L) - 0x80008000L;
        v += gp() - dot;
        if (v >= 0x7fff8000L || v < -0x80000000L) {
            ret = RelocResult.OVERFLOW;
        }
        long lo = v & 0xffff;
        long hi = ((v >> 16) + ((v >> 15) & 1)) & 0xffff;
        f.write(t, ldahAt, 4, (ldah & 0xffff0000L) | hi);
        f.write(t, ldaAt, 4, (lda & 0xffff0000L) | lo);
        return ret;
    }

    @Override
    public boolean initModule(ObjFile f, LinkSection thisSection) {
        new StructModule(f, thisSection).set(StructModule.GP, got.addr + 0x8000);
        return true;
    }
}
