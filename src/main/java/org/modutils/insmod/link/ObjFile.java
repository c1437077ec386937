package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.*;

import org.modutils.insmod.report.UserError;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.link.Target;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.elf.Endian;

/**
 * The object being linked (modutils' struct obj_file): its sections in index order and in load
 * order, the symbol hash, and the string and symbol patches insmod adds.
 */
public final class ObjFile {
    public final String fileName;
    public final ElfFile elf;
    public final Target target;
    public final boolean wide;
    public final boolean bigEndian;
    public long baseaddr;

    private final List<LinkSection> sections = new ArrayList<>();
    private final List<LinkSection> loadOrder = new ArrayList<>();
    private int loadSearchStart;
    final ElfSymbols[] symtabs;
    final ElfRelocs[] relocs;
    SymbolTable symtab;

    // The original pushes patches on the front of a list; these keep them in arrival order and
    // are applied from the back, which is the same order without moving the list each time.
    private final Patches stringPatches = new Patches(false);   // section, offset, string offset
    private final Patches symbolPatches = new Patches(true);    // section, offset, Sym

    /**
     * Patches as flat arrays, no per-patch objects: a module that exports everything has two
     * per symbol. Section offsets fit in an int (sections are arrays).
     */
    private static final class Patches {
        int count;
        int[] secidx = new int[16];
        int[] offset = new int[16];
        int[] value;
        Sym[] sym;

        Patches(boolean symbols) {
            if (symbols) {
                sym = new Sym[16];
            } else {
                value = new int[16];
            }
        }

        void reserve(int more) {
            if (count + more > secidx.length) {
                resize(count + more);
            }
        }

        private void resize(int n) {
            secidx = java.util.Arrays.copyOf(secidx, n);
            offset = java.util.Arrays.copyOf(offset, n);
            if (sym != null) {
                sym = java.util.Arrays.copyOf(sym, n);
            } else {
                value = java.util.Arrays.copyOf(value, n);
            }
        }

        void add(int sec, long off, int v, Sym s) {
            if (count == secidx.length) {
                resize(2 * count);
            }
            secidx[count] = sec;
            offset[count] = (int) off;
            if (sym != null) {
                sym[count] = s;
            } else {
                value[count] = v;
            }
            count++;
        }
    }

    /** Room for {@code n} more string and symbol patches each (a module exporting its symbols). */
    public void reservePatches(int n) {
        stringPatches.reserve(n);
        symbolPatches.reserve(n);
    }

    ObjFile(String fileName, ElfFile elf, Target target) {
        this.fileName = fileName;
        this.elf = elf;
        this.target = target;
        this.wide = target.is64();
        this.bigEndian = target.bigEndian();
        this.symtabs = new ElfSymbols[elf.sectionCount()];
        this.relocs = new ElfRelocs[elf.sectionCount()];
    }

    /** Wraps an address to the target's word width. */
    public long mask(long v) {
        return wide ? v : v & 0xffffffffL;
    }

    public List<LinkSection> sections() {
        return sections;
    }

    public LinkSection section(int i) {
        return sections.get(i);
    }

    public int sectionCount() {
        return sections.size();
    }

    public List<LinkSection> loadOrder() {
        return loadOrder;
    }

    public SymbolTable symbols() {
        return symtab;
    }

    public ElfSymbols elfSymbols(int symtabIndex) {
        return symtabs[symtabIndex];
    }

    public ElfRelocs elfRelocs(int relIndex) {
        return relocs[relIndex];
    }

    public LinkSection find(String name) {
        for (int i = 0, n = sections.size(); i < n; i++) {
            LinkSection s = sections.get(i);
            if (s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    public Sym findSymbol(String name) {
        return symtab.find(name);
    }

    LinkSection addSection(String name, int type, long flags, long size, long align) {
        LinkSection s = new LinkSection(sections.size(), name, type, flags, size, align);
        sections.add(s);
        return s;
    }

    int loadPriority(LinkSection a) {
        long af = a.flags;
        int ac = 0;
        if (!(a.name.length() == 10 && a.name.charAt(0) == '.' && a.name.startsWith(".init", 5))) {
            ac |= 64;
        }
        if ((af & SHF_ALLOC) != 0) ac |= 32;
        if ((af & SHF_EXECINSTR) != 0) ac |= 16;
        if ((af & SHF_WRITE) == 0) ac |= 8;
        if (a.type != SHT_NOBITS) ac |= 4;
        if (a.name.equals(".got")) ac |= 2;
        if ((af & target.shortSectionFlag()) != 0) {
            ac = (ac & ~4) | 1;
        }
        return ac;
    }

    void insertLoadOrder(LinkSection sec) {
        int prio = loadPriority(sec);
        int i = loadSearchStart;
        while (i < loadOrder.size() && loadPriority(loadOrder.get(i)) >= prio) {
            i++;
        }
        loadOrder.add(i, sec);
    }

    /** obj_create_alloced_section: a new PROGBITS|ALLOC section placed by load priority. */
    public LinkSection createAllocedSection(String name, long align, long size, long flags) {
        LinkSection s = addSection(name, SHT_PROGBITS, flags | SHF_ALLOC, size, align);
        if (size > 0) {
            s.setContents(new byte[(int) size]);
        }
        insertLoadOrder(s);
        return s;
    }

    /** obj_create_alloced_section_first: a writable section loaded before everything else. */
    public LinkSection createAllocedSectionFirst(String name, long align, long size) {
        LinkSection s = addSection(name, SHT_PROGBITS, SHF_WRITE | SHF_ALLOC, size, align);
        if (size > 0) {
            s.setContents(new byte[(int) size]);
        }
        loadOrder.add(0, s);
        if (loadSearchStart == 0) {
            loadSearchStart = 1;
        }
        return s;
    }

    /** Appends {@code string} to .kstrtab (creating it) and patches its address in at secidx:offset. */
    public void stringPatch(int secidx, long offset, String string) {
        byte[] bytes = string.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int len = bytes.length + 1;
        LinkSection strsec = find(".kstrtab");
        long strOff;
        if (strsec == null) {
            strsec = createAllocedSection(".kstrtab", 1, len, 0);
            strOff = 0;
        } else {
            strOff = strsec.extend(len);
        }
        System.arraycopy(bytes, 0, strsec.contents(), (int) strOff, bytes.length);
        strsec.contents()[(int) strOff + bytes.length] = 0;
        stringPatches.add(secidx, offset, (int) strOff, null);
    }

    /** Patches {@code sym}'s final value in at secidx:offset once addresses are known. */
    public void symbolPatch(int secidx, long offset, Sym sym) {
        symbolPatches.add(secidx, offset, 0, sym);
    }

    /** obj_symbol_final_value. */
    public long finalValue(Sym sym) {
        if (sym == null) {
            return 0;
        }
        if (sym.secidx >= SHN_LORESERVE) {
            return sym.value;
        }
        return mask(sym.value + sections.get(sym.secidx).addr);
    }

    /** obj_check_undefineds: weak undefined become absolute 0; referenced strong ones are named. */
    public List<String> checkUndefineds() {
        List<String> unresolved = new ArrayList<>();
        for (Sym sym : symtab.ordered()) {
            if (sym.secidx == SHN_UNDEF) {
                if (stBind(sym.info) == STB_WEAK) {
                    sym.secidx = SHN_ABS;
                    sym.value = 0;
                } else if (sym.rType != 0) {
                    unresolved.add(sym.name);
                }
            }
        }
        return unresolved;
    }

    /**
     * obj_allocate_commons: COMMON symbols into the first NOBITS section; NOBITS become PROGBITS.
     * Without a limit: a size beyond 2^63 bytes leaves the NOBITS sections as they are.
     */
    public void allocateCommons() {
        try {
            allocateCommons(Long.MAX_VALUE);
        } catch (UserError e) {
            // nothing more is allocated, as the bound says
        }
    }

    /**
     * {@link #allocateCommons()}, refusing with "image of at least N bytes exceeds the limit of
     * {@code limit}" when a common symbol, the NOBITS section with the commons in it, or another
     * NOBITS section would be larger than {@code limit} bytes (unsigned); then no section is sized.
     */
    public void allocateCommons(long limit) throws UserError {
        List<Sym> commons = sortedCommons();
        if (!commons.isEmpty()) {
            placeCommons(commons, limit);
        }
        for (LinkSection s : sections) {
            if (s.type == SHT_NOBITS) {
                checkLimit(s.size, limit, "image of at least ");
            }
        }
        for (LinkSection s : sections) {
            if (s.type == SHT_NOBITS) {
                s.setContents(s.size > 0 ? new byte[(int) s.size] : null);
                s.type = SHT_PROGBITS;
            }
        }
    }

    /**
     * The image bound: a size beyond limit (both unsigned) stops the run with
     * what + size + " bytes exceeds the limit of " + limit.
     */
    public static void checkLimit(long size, long limit, String what) throws UserError {
        if (Long.compareUnsigned(size, limit) > 0) {
            throw new UserError(what + Long.toUnsignedString(size) + " bytes exceeds the limit of " + limit);
        }
    }

    /** The COMMON symbols, globals by size (stable), then the locals the original inserts before a larger one. */
    private List<Sym> sortedCommons() {
        List<Sym> commons = new ArrayList<>();
        for (Sym sym : symtab.ordered()) {
            if (sym.secidx == SHN_COMMON) {
                int p = 0;
                while (p < commons.size() && sym.size > commons.get(p).size) {
                    p++;
                }
                commons.add(p, sym);
            }
        }
        for (int i = 1; i < symtab.localCount(); i++) {
            Sym sym = symtab.local(i);
            if (sym != null && sym.secidx == SHN_COMMON) {
                for (int p = 0; p < commons.size(); p++) {
                    if (commons.get(p) == sym) {
                        break;
                    } else if (sym.size < commons.get(p).size) {
                        commons.add(p, sym);
                        break;
                    }
                }
            }
        }
        return commons;
    }

    /** The commons at their alignment after the first NOBITS section's contents (a made-up .bss without one). */
    private void placeCommons(List<Sym> commons, long limit) throws UserError {
        LinkSection bss = null;
        for (LinkSection s : sections) {
            if (s.type == SHT_NOBITS) {
                bss = s;
                break;
            }
        }
        if (bss == null) {
            // Like the original, a made-up .bss is not in the load order.
            bss = addSection(".bss", SHT_PROGBITS, SHF_WRITE | SHF_ALLOC, 0, 0);
        }
        for (Sym c : commons) {
            checkLimit(c.size, limit, "image of at least ");
        }
        long bssSize = bss.size;
        long maxAlign = bss.addralign;
        for (Sym c : commons) {
            long align = c.value;
            if (Long.compareUnsigned(align, maxAlign) > 0) {
                maxAlign = align;
            }
            if ((bssSize & (align - 1)) != 0) {
                bssSize = (bssSize | (align - 1)) + 1;
            }
            c.secidx = bss.index;
            c.value = bssSize;
            bssSize += c.size;
        }
        checkLimit(bssSize, limit, "image of at least ");
        bss.size = bssSize;
        bss.addralign = maxAlign;
    }

    /** obj_load_size: places the sections one after another at their alignment; returns the size. */
    public long loadSize() {
        for (LinkSection sec : sections) {
            sec.trim();
        }
        long dot = 0;
        for (LinkSection sec : loadOrder) {
            long align = sec.addralign;
            if (align != 0 && (dot & (align - 1)) != 0) {
                dot = (dot | (align - 1)) + 1;
            }
            sec.addr = dot;
            dot += sec.size;
        }
        return dot;
    }

    /** Applies the string and symbol patches (after relocation, as obj_relocate does). */
    void applyPatches() {
        int w = target.wordSize();
        Patches p = stringPatches;
        if (p.count > 0) {
            long base = find(".kstrtab").addr;
            for (int i = p.count - 1; i >= 0; i--) {
                Endian.putWord(sections.get(p.secidx[i]).contents(), p.offset[i], w, mask(base + p.value[i]),
                        bigEndian);
            }
        }
        p = symbolPatches;
        for (int i = p.count - 1; i >= 0; i--) {
            Endian.putWord(sections.get(p.secidx[i]).contents(), p.offset[i], w, finalValue(p.sym[i]), bigEndian);
        }
    }

    /** obj_create_image: the sections' bytes at their offsets from the base; padding is zero. */
    public byte[] createImage(long size) {
        byte[] image = new byte[(int) size];
        for (LinkSection sec : loadOrder) {
            if (sec.contents() == null) {
                continue;
            }
            int at = (int) (sec.addr - baseaddr);
            System.arraycopy(sec.contents(), 0, image, at, (int) Math.min(sec.size, sec.contents().length));
        }
        return image;
    }

    // Target-endian access to section bytes, for the architectures.

    /** The {@code size}-byte word at {@code off}; {@link LinkSection.OutOfSection} when it is not all inside. */
    public long read(LinkSection s, long off, int size) {
        byte[] c = s.contents();
        inside(c, off, size);
        return Endian.word(c, (int) off, size, bigEndian);
    }

    private static void inside(byte[] c, long off, int size) {
        if (off < 0 || off > c.length - (long) size) {
            throw new LinkSection.OutOfSection();
        }
    }

    /** Writes the {@code size}-byte word at {@code off}; {@link LinkSection.OutOfSection} when it is not all inside. */
    public void write(LinkSection s, long off, int size, long v) {
        byte[] c = s.contents();
        inside(c, off, size);
        Endian.putWord(c, (int) off, size, v, bigEndian);
    }
}
