package org.modutils.insmod.arch;

import static org.modutils.insmod.elf.Elf.*;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
 * 32-bit PowerPC (RELA, big-endian). A {@code bl} reaches only +/-32 MiB, so, as modutils does,
 * every distinct (symbol, addend) a REL24 names gets a 16-byte entry in a {@code .plt} section
 * (lis r11,hi; addi r11,r11,lo; mtctr r11; bctr) and a branch that cannot reach its target goes
 * through it. The .plt is always created, empty when nothing branches. {@code __archdata} holds
 * the start and end of {@code __ftr_fixup} when the object has one.
 *
 * Beyond the original: the types today's gcc emits for non-PIC kernel code (ADDR16, ADDR14,
 * REL14*, ADDR24, PLTREL24 and LOCAL24PC as REL24, UADDR*, REL16*, NONE), with range checks
 * (an error naming the symbol, never truncated bytes); other types are refused by name.
 */
public final class Ppc implements Target {
    static final int R_NONE = 0, R_ADDR32 = 1, R_ADDR24 = 2, R_ADDR16 = 3, R_ADDR16_LO = 4, R_ADDR16_HI = 5,
            R_ADDR16_HA = 6, R_ADDR14 = 7, R_ADDR14_BRTAKEN = 8, R_ADDR14_BRNTAKEN = 9, R_REL24 = 10, R_REL14 = 11,
            R_REL14_BRTAKEN = 12, R_REL14_BRNTAKEN = 13, R_PLTREL24 = 18, R_LOCAL24PC = 23, R_UADDR32 = 24,
            R_UADDR16 = 25, R_REL32 = 26, R_REL16 = 249, R_REL16_LO = 250, R_REL16_HI = 251, R_REL16_HA = 252;

    static final int PLT_ENTRY = 16;

    /** The .plt entries, one per (symbol, addend) a 24-bit branch names. */
    private final SlotPass.AddendSlots plt = new SlotPass.AddendSlots(PLT_ENTRY);
    private LinkSection pltSection;

    @Override public String name() { return "ppc"; }
    @Override public String relocName(int type) { return RelocNames.name(this, type); }
    @Override public boolean accepts(int m, boolean is64, boolean be) { return !is64 && be && m == EM_PPC; }
    @Override public boolean is64() { return false; }
    @Override public boolean bigEndian() { return true; }
    @Override public boolean rela() { return true; }

    /** The types that branch with a 24-bit displacement and so may need a .plt entry. */
    private static boolean isBranch24(int t) {
        return t == R_REL24 || t == R_PLTREL24 || t == R_LOCAL24PC;
    }

    @Override
    public void createGot(ObjFile f) throws UserError {
        SlotPass.run(f, (r, slots) -> {
            if (isBranch24(r.type()) && r.symIndex() != 0) {
                Sym s = r.symbol();
                if (s != null) {
                    plt.take(s, (int) r.addend());
                }
            }
        });
        pltSection = f.createAllocedSection(".plt", 16, plt.next, SHF_WRITE);
    }

    /** Range check for the types the original never applied (no recorded -n bytes to keep). */
    private static RelocResult range(Reloc r, long v, int bits, String what) {
        if (!Range.fitsSigned(v, bits)) {
            r.detail = String.format("%s 0x%x out of range", what, v);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    @Override
    public RelocResult apply(ObjFile f, Reloc r, long v) {
        long dot = f.mask(r.target.addr + r.offset);
        switch (r.type) {
            case R_NONE:
                return RelocResult.OK;
            case R_ADDR32, R_UADDR32:
                return Field.put(f, r, 4, v);
            case R_ADDR16_LO:
                return Field.put16(f, r, v);
            case R_ADDR16_HI:
                return Field.put16(f, r, v >>> 16);
            case R_ADDR16_HA:
                return Field.put16(f, r, f.mask(v + 0x8000) >>> 16);
            case R_REL32:
                return Field.put(f, r, 4, v - dot);
            case R_ADDR16, R_UADDR16:
                Field.put16(f, r, v);
                return range(r, (int) v, 16, "value");
            case R_REL16, R_REL16_LO:
                Field.put16(f, r, v - dot);
                return r.type == R_REL16 ? range(r, (int) (v - dot), 16, "displacement") : RelocResult.OK;
            case R_REL16_HI:
                return Field.put16(f, r, f.mask(v - dot) >>> 16);
            case R_REL16_HA:
                return Field.put16(f, r, f.mask(v - dot + 0x8000) >>> 16);
            case R_ADDR24:
                return Field.misaligned(f, r, 0x03fffffcL, v) ? RelocResult.DANGEROUS
                        : range(r, (int) v, 26, "address");
            case R_ADDR14, R_ADDR14_BRTAKEN, R_ADDR14_BRNTAKEN:
                return Field.misaligned(f, r, 0xfffcL, v) ? RelocResult.DANGEROUS
                        : range(r, (int) v, 16, "address");
            case R_REL14, R_REL14_BRTAKEN:
            case R_REL14_BRNTAKEN: {
                int d = (int) (v - dot);
                return Field.misaligned(f, r, 0xfffcL, d) ? RelocResult.DANGEROUS
                        : range(r, d, 16, "branch displacement");
            }
            case R_PLTREL24:
                // The addend of a PIC call names the GOT pointer (0x8000 into .got2), not the callee.
                return branch24(f, r, f.mask(v - r.addend), dot);
            case R_REL24, R_LOCAL24PC:
                return branch24(f, r, v, dot);
            default:
                r.detail = typeName(r.type) + " is not supported";
                return RelocResult.UNHANDLED;
        }
    }

    private RelocResult branch24(ObjFile f, Reloc r, long v, long dot) {
        SlotPass.AddendSlots.Slot pe = r.sym == null ? null : plt.find(r.sym, (int) r.addend);
        if (pe == null) {
            r.detail = "no .plt entry for this branch";
            return RelocResult.DANGEROUS;
        }
        if (!pe.done) {
            long at = pe.offset;
            f.write(pltSection, at, 4, 0x3d600000L + (f.mask(v + 0x8000) >>> 16));  // lis r11,sym@ha
            f.write(pltSection, at + 4, 4, 0x396b0000L + (v & 0xffff));             // addi r11,r11,sym@l
            f.write(pltSection, at + 8, 4, 0x7d6903a6L);                              // mtctr r11
            f.write(pltSection, at + 12, 4, 0x4e800420L);                             // bctr
            pe.done = true;
        }
        int d = (int) (v - dot);
        if (d < -0x02000000 || d >= 0x02000000) {
            d = (int) (pltSection.addr + pe.offset - dot);
        }
        if (Field.misaligned(f, r, 0x03fffffcL, d)) {
            return RelocResult.DANGEROUS;
        }
        if (d < -0x02000000 || d >= 0x02000000) {
            // Only a module of more than 32 MiB gets here: not even its own .plt is in reach.
            r.detail = String.format(".plt entry at displacement 0x%x is out of branch range", d);
            return RelocResult.OVERFLOW;
        }
        return RelocResult.OK;
    }

    /** The name of a relocation type for messages about types we do not apply. */
    static String typeName(int t) {
        switch (t) {
            case 14: return "R_PPC_GOT16";
            case 15: return "R_PPC_GOT16_LO";
            case 16: return "R_PPC_GOT16_HI";
            case 17: return "R_PPC_GOT16_HA";
            case 19: return "R_PPC_COPY";
            case 20: return "R_PPC_GLOB_DAT";
            case 21: return "R_PPC_JMP_SLOT";
            case 22: return "R_PPC_RELATIVE";
            case 27: return "R_PPC_PLT32";
            case 28: return "R_PPC_PLTREL32";
            case 29: return "R_PPC_PLT16_LO";
            case 30: return "R_PPC_PLT16_HI";
            case 31: return "R_PPC_PLT16_HA";
            case 32: return "R_PPC_SDAREL16";
            case 33: return "R_PPC_SECTOFF";
            case 34: return "R_PPC_SECTOFF_LO";
            case 35: return "R_PPC_SECTOFF_HI";
            case 36: return "R_PPC_SECTOFF_HA";
            case 67: return "R_PPC_TLS";
            case 68: return "R_PPC_DTPMOD32";
            case 109: return "R_PPC_EMB_SDA21";
            case 116: return "R_PPC_EMB_RELSDA";
            default:
                if (t >= 67 && t <= 94) {
                    return "R_PPC thread-local type " + t;
                }
                return "relocation type " + t;
        }
    }

    @Override
    public void archdata(ObjFile f, LinkSection archdata) {
        archdata.size = 0;
        archdata.setContents(null);
        LinkSection ftr = f.find("__ftr_fixup");
        if (ftr != null) {
            archdata.size = 8;
            archdata.setContents(new byte[8]);
            f.write(archdata, 0, 4, ftr.addr);
            f.write(archdata, 4, 4, f.mask(ftr.addr + ftr.size));
        }
    }
}
