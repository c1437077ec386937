package org.modutils.insmod.elf;

import java.nio.charset.StandardCharsets;

import org.modutils.insmod.sys.IoReasons;

/**
 * An immutable ELF32/ELF64 object, little or big endian. Every offset, size, index and string
 * is checked against the file before it is used, so a hostile file gives an {@link ElfException}
 * with a one-line message and never an out-of-bounds access.
 */
public final class ElfFile {
    /** Refuse section tables larger than this (the largest real module has a few hundred). */
    public static final int MAX_SECTIONS = ElfLimits.MAX_SECTIONS;

    private final String fileName;
    private final ElfSource src;
    private final boolean is64;
    private final boolean bigEndian;
    private final int type;
    private final int machine;
    private final long flags;
    private final int shstrndx;
    private final ElfSection[] sections;
    /** Every symbol table and relocation section, decoded and checked by {@link #parse}. */
    private final ElfSymbols[] symtabs;
    private final ElfRelocs[] relocs;

    private ElfFile(String fileName, ElfSource src, boolean is64, boolean bigEndian, int type, int machine,
                    long flags, int shstrndx, ElfSection[] sections) {
        this.fileName = fileName;
        this.src = src;
        this.is64 = is64;
        this.bigEndian = bigEndian;
        this.type = type;
        this.machine = machine;
        this.flags = flags;
        this.shstrndx = shstrndx;
        this.sections = sections;
        this.symtabs = new ElfSymbols[sections.length];
        this.relocs = new ElfRelocs[sections.length];
    }

    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    /** True when {@code data} starts with the ELF magic. */
    public static boolean isElf(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    /**
     * Parses the header and the section table. {@code fileName} appears in messages exactly
     * where modutils puts it ("X is not an ELF file").
     */
    public static ElfFile parse(String fileName, byte[] data) throws ElfException {
        return parse(fileName, ElfSource.of(data));
    }

    /**
     * {@link #parse(String, byte[])} over a source read in pieces: the header, the section
     * table, the symbol and relocation tables now, section contents when they are asked for.
     * The source must stay open while sections are read.
     */
    public static ElfFile parse(String fileName, ElfSource src) throws ElfException {
        return parse(fileName, src, true);
    }

    private static ElfFile parse(String fileName, ElfSource src, boolean tables) throws ElfException {
        long length = src.size();
        byte[] data = read(fileName, src, 0, (int) Math.min(64, length));
        // Whatever its length, a file that does not start with the ELF magic is "not an ELF
        // file"; one that does but ends within its header "cannot read ELF header" (README:
        // the original read a whole header before it looked at the magic).
        for (int i = 0; i < Math.min(4, data.length); i++) {
            if (data[i] != ELF_MAGIC[i]) {
                throw new ElfException(fileName + " is not an ELF file");
            }
        }
        if (length < 16) {
            throw new ElfException("cannot read ELF header from " + fileName);
        }
        int cls = data[4] & 0xff, enc = data[5] & 0xff, ver = data[6] & 0xff;
        if ((cls != Elf.ELFCLASS32 && cls != Elf.ELFCLASS64) || (enc != Elf.ELFDATA2LSB && enc != Elf.ELFDATA2MSB)
                || ver != 1) {
            throw new ElfException("ELF file " + fileName + " not for this architecture");
        }
        boolean w = cls == Elf.ELFCLASS64;
        boolean be = enc == Elf.ELFDATA2MSB;
        int ehsize = w ? 64 : 52;
        if (length < ehsize) {
            throw new ElfException("cannot read ELF header from " + fileName);
        }
        int type = Endian.u16(data, 16, be);
        int machine = Endian.u16(data, 18, be);
        long shoff = w ? Endian.u64(data, 40, be) : Endian.u32(data, 32, be);
        long eflags = Endian.u32(data, w ? 48 : 36, be);
        int shentsize = Endian.u16(data, w ? 58 : 46, be);
        int shnum = Endian.u16(data, w ? 60 : 48, be);
        int shstrndx = Endian.u16(data, w ? 62 : 50, be);
        int want = w ? 64 : 40;
        long[] nameBudget = {(long) ElfLimits.NAME_FACTOR * length + ElfLimits.NAME_SLACK};
        ElfFile f = new ElfFile(fileName, src, w, be, type, machine, eflags, shstrndx,
                readSections(fileName, src, w, be, shoff, shentsize, shnum, shstrndx, want, nameBudget));
        if (tables) {
            f.checkLinks();
            f.decodeTables(nameBudget);
        }
        return f;
    }

    /**
     * The header and section table only, for a look at which sections a file has: symbol and
     * relocation tables are neither read nor checked ({@link #symbols} still reads one).
     */
    public static ElfFile sections(String fileName, ElfSource src) throws ElfException {
        return parse(fileName, src, false);
    }

    /** {@code len} bytes at {@code off} (already checked to lie inside the file). */
    private static byte[] read(String fileName, ElfSource src, long off, int len) throws ElfException {
        byte[] b = new byte[len];
        read(fileName, src, off, b, len);
        return b;
    }

    private static void read(String fileName, ElfSource src, long off, byte[] b, int len) throws ElfException {
        try {
            src.read(off, b, 0, len);
        } catch (java.io.IOException e) {
            throw new ElfException("error reading " + fileName + ": " + readReason(e));
        }
    }

    /** Tables are read and decoded in pieces of this size. */
    private static final int CHUNK = 1 << 16;

    private static String readReason(java.io.IOException e) {
        return e instanceof java.io.EOFException ? "file shrank while being read" : IoReasons.of(e);
    }

    /** Section types whose sh_link is the index of another section. */
    private static boolean linksToSection(ElfSection s) {
        switch (s.type()) {
            case Elf.SHT_SYMTAB: case Elf.SHT_RELA: case Elf.SHT_HASH: case Elf.SHT_DYNAMIC: case Elf.SHT_REL:
            case 11 /* SHT_DYNSYM */: case 17 /* SHT_GROUP */: case 18 /* SHT_SYMTAB_SHNDX */:
                return true;
            default:
                return (s.flags() & 0x80) != 0; // SHF_LINK_ORDER
        }
    }

    /** Refuses a chain of sh_link that comes back to where it started. */
    private void checkLinks() throws ElfException {
        int n = sections.length;
        int[] seenFrom = new int[n];
        java.util.Arrays.fill(seenFrom, -1);
        for (int start = 0; start < n; start++) {
            int at = start;
            java.util.List<String> path = new java.util.ArrayList<>();
            while (at >= 0 && at < n && linksToSection(sections[at])) {
                if (seenFrom[at] == start) {
                    if (sections[at].link() == at) {
                        throw new ElfException("ELF file " + fileName + " section " + sections[at].name()
                                + " links to itself");
                    }
                    int from = path.indexOf(sections[at].name() + "#" + at);
                    StringBuilder b = new StringBuilder();
                    for (int k = Math.max(from, 0); k < path.size(); k++) {
                        b.append(path.get(k), 0, path.get(k).lastIndexOf('#')).append(" -> ");
                    }
                    b.append(sections[at].name());
                    throw new ElfException("ELF file " + fileName + " has a cycle of sh_link: " + b);
                }
                if (seenFrom[at] >= 0) {
                    break; // walked from an earlier start without a cycle
                }
                seenFrom[at] = start;
                path.add(sections[at].name() + "#" + at);
                at = sections[at].link();
            }
        }
    }

    /** Decodes and checks every symbol table, then every relocation section against its table. */
    private void decodeTables(long[] nameBudget) throws ElfException {
        for (int i = 0; i < sections.length; i++) {
            if (sections[i].type() == Elf.SHT_SYMTAB) {
                symtabs[i] = readSymbols(i, nameBudget);
            }
        }
        long total = 0;
        for (int i = 0; i < sections.length; i++) {
            ElfSection s = sections[i];
            if ((s.type() != Elf.SHT_REL && s.type() != Elf.SHT_RELA) || s.size() == 0) {
                continue;
            }
            if (s.link() <= 0 || s.link() >= sections.length || symtabs[s.link()] == null) {
                throw new ElfException("relocation section " + s.name() + " in " + fileName
                        + " does not refer to a symbol table");
            }
            if (s.info() <= 0 || s.info() >= sections.length) {
                throw new ElfException("relocation section " + s.name() + " in " + fileName
                        + " applies to missing section " + Integer.toUnsignedString(s.info()));
            }
            if (s.info() == i) {
                throw new ElfException("relocation section " + s.name() + " in " + fileName + " applies to itself");
            }
            int tt = sections[s.info()].type();
            if (tt == Elf.SHT_REL || tt == Elf.SHT_RELA || tt == Elf.SHT_SYMTAB || tt == Elf.SHT_STRTAB) {
                throw new ElfException("relocation section " + s.name() + " in " + fileName
                        + " applies to a relocation, symbol or string table");
            }
            relocs[i] = readRelocations(i, symtabs[s.link()].count());
            total += relocs[i].count();
            if (total > ElfLimits.MAX_RELOCATIONS) {
                throw new ElfException("ELF file " + fileName + " has too many relocations (more than "
                        + ElfLimits.MAX_RELOCATIONS + ")");
            }
        }
    }

    private static ElfSection[] readSections(String fileName, ElfSource src, boolean w, boolean be, long shoff,
                                             int shentsize, int shnum, int shstrndx, int want,
                                             long[] nameBudget) throws ElfException {
        checkHeaderTable(fileName, src.size(), shoff, shentsize, shnum, shstrndx, want);
        byte[] data = read(fileName, src, shoff, shnum * shentsize);
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            raw[i] = header(data, i * shentsize, w, be);
            checkHeader(fileName, i, raw[i], w, src.size());
        }
        if (raw[shstrndx][SH_TYPE] != Elf.SHT_STRTAB) {
            throw new ElfException("ELF file " + fileName + " section name table is not a string table");
        }
        checkStringTables(fileName, src, raw, shstrndx);
        long[] sh = raw[shstrndx];
        byte[] names = read(fileName, src, sh[SH_OFFSET], arrayLength(fileName, sh[SH_SIZE]));
        ElfSection[] out = new ElfSection[shnum];
        for (int i = 0; i < shnum; i++) {
            out[i] = named(fileName, i, raw[i], names, shnum, nameBudget);
        }
        return out;
    }

    private static void checkHeaderTable(String fileName, long length, long shoff, int shentsize, int shnum,
                                         int shstrndx, int want) throws ElfException {
        if (shnum == 0) {
            throw new ElfException("ELF file " + fileName + " has no section header table");
        }
        if (shentsize != want) {
            throw new ElfException("section header size mismatch " + fileName + ": " + shentsize + " != " + want);
        }
        if (shnum > MAX_SECTIONS) {
            throw new ElfException("ELF file " + fileName + " has too many sections (" + shnum + ")");
        }
        if (shoff < 0 || shoff > length || (long) shnum * shentsize > length - shoff) {
            throw new ElfException("ELF file " + fileName + " section header table extends past end of file");
        }
        if (shstrndx >= shnum) {
            throw new ElfException("ELF file " + fileName + " section name table index " + shstrndx
                    + " out of range");
        }
    }

    /** Indexes of the fields of a section header as {@link #header} returns them. */
    private static final int SH_NAME = 0, SH_TYPE = 1, SH_FLAGS = 2, SH_ADDR = 3, SH_OFFSET = 4, SH_SIZE = 5,
            SH_LINK = 6, SH_INFO = 7, SH_ADDRALIGN = 8, SH_ENTSIZE = 9;
    /** Where each field stands in an Elf32_Shdr (all 4 bytes) and an Elf64_Shdr, and its width there. */
    private static final int[] SHDR32_AT = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36};
    private static final int[] SHDR64_AT = {0, 4, 8, 16, 24, 32, 40, 44, 48, 56};
    private static final int[] SHDR64_WIDTH = {4, 4, 8, 8, 8, 8, 4, 4, 8, 8};

    /** The ten fields of the section header at {@code o}, zero-extended. */
    private static long[] header(byte[] data, int o, boolean w, boolean be) {
        long[] r = new long[SHDR32_AT.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = w ? Endian.word(data, o + SHDR64_AT[k], SHDR64_WIDTH[k], be) : Endian.u32(data, o + SHDR32_AT[k], be);
        }
        return r;
    }

    /** One section header's alignment, table sizes and extent. */
    private static void checkHeader(String fileName, int i, long[] r, boolean w, long length) throws ElfException {
        long align = r[SH_ADDRALIGN], stype = r[SH_TYPE], off = r[SH_OFFSET], size = r[SH_SIZE];
        if (align != 0 && (align & (align - 1)) != 0) {
            throw new ElfException("ELF file " + fileName + " section " + i + " has alignment "
                    + Long.toUnsignedString(align) + ", not a power of two");
        }
        if (Long.compareUnsigned(align, ElfLimits.MAX_ALIGN) > 0) {
            throw new ElfException("ELF file " + fileName + " section " + i + " has alignment "
                    + Long.toUnsignedString(align) + ", more than the limit of " + ElfLimits.MAX_ALIGN);
        }
        if (stype == Elf.SHT_SYMTAB && Long.compareUnsigned(size / (w ? 24 : 16), ElfLimits.MAX_SYMBOLS) > 0) {
            throw new ElfException("ELF file " + fileName + " section " + i + " has too many symbols ("
                    + Long.toUnsignedString(size / (w ? 24 : 16)) + ", limit " + ElfLimits.MAX_SYMBOLS + ")");
        }
        if ((stype == Elf.SHT_REL || stype == Elf.SHT_RELA)
                && Long.compareUnsigned(size / (w ? 16 : 8), ElfLimits.MAX_RELOCATIONS) > 0) {
            throw new ElfException("ELF file " + fileName + " section " + i + " has too many relocations ("
                    + Long.toUnsignedString(size / (w ? 16 : 8)) + ", limit " + ElfLimits.MAX_RELOCATIONS + ")");
        }
        boolean hasData = stype != Elf.SHT_NOBITS && stype != Elf.SHT_NULL;
        if (hasData && (off < 0 || size < 0 || off > length || size > length - off)) {
            throw new ElfException("ELF file " + fileName + " section " + i + " extends past end of file");
        }
    }

    /** Every string table (the section name table first among equals) must end with a NUL byte. */
    private static void checkStringTables(String fileName, ElfSource src, long[][] raw, int shstrndx)
            throws ElfException {
        byte[] last = new byte[1];
        for (int i = 0; i < raw.length; i++) {
            long[] r = raw[i];
            if (r[SH_TYPE] != Elf.SHT_STRTAB || r[SH_SIZE] <= 0) {
                continue;
            }
            read(fileName, src, r[SH_OFFSET] + r[SH_SIZE] - 1, last, 1);
            if (last[0] != 0) {
                throw new ElfException("ELF file " + fileName + (i == shstrndx ? " section name table"
                        : " string table in section " + i) + " does not end with a NUL byte");
            }
        }
    }

    /** Section {@code i} with its name, its sh_link checked where it must name a section. */
    private static ElfSection named(String fileName, int i, long[] r, byte[] names, int shnum, long[] nameBudget)
            throws ElfException {
        String name = cstring(names, r[SH_NAME]);
        if (name != null && (nameBudget[0] -= name.length() + 1) < 0) {
            throw nameBudgetExceeded(fileName);
        }
        if (name == null) {
            throw new ElfException("ELF file " + fileName + " section " + i + " has a bad name index");
        }
        long type = r[SH_TYPE];
        if (r[SH_LINK] >= shnum && type != Elf.SHT_NULL && (type == Elf.SHT_SYMTAB || type == Elf.SHT_REL
                || type == Elf.SHT_RELA)) {
            throw new ElfException("ELF file " + fileName + " section " + name + " links to missing section "
                    + r[SH_LINK]);
        }
        return new ElfSection(i, name, (int) type, r[SH_FLAGS], r[SH_ADDR], r[SH_OFFSET], r[SH_SIZE],
                (int) Math.min(r[SH_LINK], Integer.MAX_VALUE), (int) Math.min(r[SH_INFO], Integer.MAX_VALUE),
                r[SH_ADDRALIGN], r[SH_ENTSIZE]);
    }

    private static ElfException nameBudgetExceeded(String fileName) {
        return new ElfException("ELF file " + fileName + " has names totalling more than " + ElfLimits.NAME_FACTOR
                + " times its size");
    }

    /** The NUL-terminated string at {@code idx} in a string table, or null if out of range. */
    static String cstring(byte[] table, long idx) {
        if (idx < 0 || idx >= table.length) {
            return null;
        }
        int start = (int) idx;
        for (int p = start; p < table.length; p++) {
            if (table[p] == 0) {
                return new String(table, start, p - start, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** A table or section read whole into an array must fit one. */
    private static int arrayLength(String fileName, long size) throws ElfException {
        if (size > Integer.MAX_VALUE - 8) {
            throw new ElfException("ELF file " + fileName + " has a table of " + size + " bytes, too large to read");
        }
        return (int) size;
    }

    public String fileName() { return fileName; }
    public boolean is64() { return is64; }
    public boolean bigEndian() { return bigEndian; }
    public int type() { return type; }
    public int machine() { return machine; }
    public long flags() { return flags; }
    public int shstrndx() { return shstrndx; }
    public int sectionCount() { return sections.length; }
    public ElfSection section(int i) { return sections[i]; }

    /** A fresh copy of a section's bytes (empty for NOBITS and NULL sections). */
    public byte[] sectionData(int i) throws ElfException {
        ElfSection s = sections[i];
        if (s.type() == Elf.SHT_NOBITS || s.type() == Elf.SHT_NULL) {
            return new byte[0];
        }
        return read(fileName, src, s.offset(), arrayLength(fileName, s.size()));
    }

    /** The symbol table in section {@code i}, read and checked when the file was parsed. */
    public ElfSymbols symbols(int i) throws ElfException {
        if (symtabs[i] != null) {
            return symtabs[i];
        }
        return readSymbols(i, new long[] {(long) ElfLimits.NAME_FACTOR * src.size() + ElfLimits.NAME_SLACK});
    }

    /** Reads the symbol table in section {@code i}, checking every name against its string table. */
    private ElfSymbols readSymbols(int i, long[] nameBudget) throws ElfException {
        ElfSection s = sections[i];
        int ent = is64 ? 24 : 16;
        if (s.entsize() != ent) {
            throw new ElfException("symbol size mismatch " + fileName + ": " + s.entsize() + " != " + ent);
        }
        if (s.link() <= 0 || s.link() >= sections.length || sections[s.link()].type() != Elf.SHT_STRTAB) {
            throw new ElfException("ELF file " + fileName + " symbol table " + s.name() + " has no string table");
        }
        ElfSection str = sections[s.link()];
        int n = (int) (s.size() / ent);
        if (Integer.toUnsignedLong(s.info()) > n) {
            throw new ElfException("ELF file " + fileName + " symbol table " + s.name() + " claims "
                    + Integer.toUnsignedString(s.info()) + " local symbols but has " + n + " symbols");
        }
        String[] names = new String[n];
        long[] value = new long[n];
        long[] size = new long[n];
        int[] info = new int[n];
        int[] shndx = new int[n];
        byte[] strtab = read(fileName, src, str.offset(), arrayLength(fileName, str.size()));
        byte[] data = new byte[CHUNK / ent * ent];
        int per = data.length / ent;
        for (int k = 0; k < n; k++) {
            int o = (k % per) * ent;
            if (o == 0) {
                read(fileName, src, s.offset() + (long) k * ent, data, Math.min(n - k, per) * ent);
            }
            long nameIdx = Endian.u32(data, o, bigEndian);
            if (is64) {
                info[k] = data[o + 4] & 0xff;
                shndx[k] = Endian.u16(data, o + 6, bigEndian);
                value[k] = Endian.u64(data, o + 8, bigEndian);
                size[k] = Endian.u64(data, o + 16, bigEndian);
            } else {
                value[k] = Endian.u32(data, o + 4, bigEndian);
                size[k] = Endian.u32(data, o + 8, bigEndian);
                info[k] = data[o + 12] & 0xff;
                shndx[k] = Endian.u16(data, o + 14, bigEndian);
            }
            String nm = cstring(strtab, nameIdx);
            if (nm == null) {
                throw new ElfException("ELF file " + fileName + " symbol " + k + " has a bad name index");
            }
            if ((nameBudget[0] -= nm.length() + 1) < 0) {
                throw nameBudgetExceeded(fileName);
            }
            // An unnamed symbol of a section that is gone (vendor tools that strip sections but
            // keep their section symbols) is tolerated; the loader skips it, as busybox does.
            if (shndx[k] >= sections.length && shndx[k] < Elf.SHN_LORESERVE && !nm.isEmpty()) {
                throw new ElfException("ELF file " + fileName + " symbol " + k + " (" + nm
                        + ") has bad section index " + shndx[k]);
            }
            names[k] = nm;
        }
        return new ElfSymbols(n, s.info(), names, value, size, info, shndx);
    }

    /**
     * Reads the REL or RELA section {@code i}; {@code nsyms} is the size of its symbol table.
     * Offsets are checked to lie inside the target section; the width of each access is the
     * architecture's to check.
     */
    public ElfRelocs relocations(int i, int nsyms) throws ElfException {
        if (relocs[i] != null && sections[i].link() < sections.length && symtabs[sections[i].link()] != null
                && symtabs[sections[i].link()].count() == nsyms) {
            return relocs[i];
        }
        return readRelocations(i, nsyms);
    }

    /** The size of one entry of relocation section {@code s}, which its sh_entsize must say. */
    private int relocationSize(ElfSection s, boolean rela) throws ElfException {
        int ent = is64 ? (rela ? 24 : 16) : (rela ? 12 : 8);
        if (s.entsize() != ent) {
            throw new ElfException("relocation entry size mismatch " + fileName + ": " + s.entsize() + " != " + ent);
        }
        return ent;
    }

    private ElfRelocs readRelocations(int i, int nsyms) throws ElfException {
        ElfSection s = sections[i];
        boolean rela = s.type() == Elf.SHT_RELA;
        int ent = relocationSize(s, rela);
        int n = (int) (s.size() / ent);
        ElfRelocs.Builder out = new ElfRelocs.Builder(n, rela);
        byte[] d = new byte[CHUNK / ent * ent];
        int per = d.length / ent;
        boolean be = bigEndian;
        for (int k = 0; k < n; k++) {
            int o = (k % per) * ent;
            if (o == 0) {
                read(fileName, src, s.offset() + (long) k * ent, d, Math.min(n - k, per) * ent);
            }
            long off, type, addend = 0;
            int sym;
            if (is64 && !be) {
                // x86_64, alpha, ia64: the common wide case decoded in line (this runs once per
                // relocation, before the JIT has compiled the Endian helpers).
                off = (d[o] & 0xffL) | (d[o + 1] & 0xffL) << 8 | (d[o + 2] & 0xffL) << 16 | (d[o + 3] & 0xffL) << 24
                        | (d[o + 4] & 0xffL) << 32 | (d[o + 5] & 0xffL) << 40 | (d[o + 6] & 0xffL) << 48
                        | (d[o + 7] & 0xffL) << 56;
                type = (d[o + 8] & 0xffL) | (d[o + 9] & 0xffL) << 8 | (d[o + 10] & 0xffL) << 16
                        | (d[o + 11] & 0xffL) << 24;
                long hi = (d[o + 12] & 0xffL) | (d[o + 13] & 0xffL) << 8 | (d[o + 14] & 0xffL) << 16
                        | (d[o + 15] & 0xffL) << 24;
                sym = (int) Math.min(hi, Integer.MAX_VALUE);
                if (rela) {
                    addend = (d[o + 16] & 0xffL) | (d[o + 17] & 0xffL) << 8 | (d[o + 18] & 0xffL) << 16
                            | (d[o + 19] & 0xffL) << 24 | (d[o + 20] & 0xffL) << 32 | (d[o + 21] & 0xffL) << 40
                            | (d[o + 22] & 0xffL) << 48 | (d[o + 23] & 0xffL) << 56;
                }
            } else if (is64) {
                off = Endian.u64(d, o, be);
                long info = Endian.u64(d, o + 8, be);
                sym = (int) Math.min(info >>> 32, Integer.MAX_VALUE);
                type = info & 0xffffffffL;
                if (rela) {
                    addend = Endian.u64(d, o + 16, be);
                }
            } else {
                off = Endian.u32(d, o, be);
                long info = Endian.u32(d, o + 4, be);
                sym = (int) (info >>> 8);
                type = info & 0xff;
                if (rela) {
                    addend = Endian.i32(d, o + 8, be);
                }
            }
            if (sym >= nsyms) {
                throw new ElfException("Bad symbol index: " + String.format("%08x >= %08x", sym, nsyms)
                        + " in " + s.name());
            }
            out.add(off, sym, type, addend);
        }
        return out.build();
    }
}
