package org.modutils.insmod.modern;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of an ELF relocatable object to talk about a module before and after the kernel
 * judges it: machine and class, {@code .modinfo}, {@code __versions}, undefined symbols. Every
 * offset is checked; a malformed file raises {@link BadModuleException}.
 */
public final class KoFile {
    public static final int EM_386 = 3;
    public static final int EM_ARM = 40;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    private static final int SHT_SYMTAB = 2;
    private static final int SHN_UNDEF = 0;
    private static final int STB_GLOBAL = 1;

    /** A malformed or non-ELF file. */
    public static final class BadModuleException extends Exception {
        public BadModuleException(String message) {
            super(message, null, false, false);
        }
    }

    /** One section header. */
    public record Section(String name, int type, long flags, long offset, long size, int link, long entsize) {}

    /** One {@code __versions} entry: the CRC the module was built against for {@code name}. */
    public record Version(long crc, String name) {}

    private final byte[] data;
    private final boolean is64;
    private final ByteOrder order;
    private final int type;
    private final int machine;
    private final List<Section> sections = new ArrayList<>();

    private KoFile(byte[] data) throws BadModuleException {
        this.data = data;
        if (data.length < 52 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
            throw new BadModuleException("not an ELF file");
        if (data[4] != 1 && data[4] != 2) throw new BadModuleException("unknown ELF class " + data[4]);
        if (data[5] != 1 && data[5] != 2) throw new BadModuleException("unknown ELF byte order " + data[5]);
        is64 = data[4] == 2;
        order = data[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        if (is64 && data.length < 64) throw new BadModuleException("truncated ELF header");
        type = u16(16);
        machine = u16(18);
        long shoff = is64 ? u64(0x28) : u32(0x20);
        int shentsize = u16(is64 ? 0x3a : 0x2e);
        int shnum = u16(is64 ? 0x3c : 0x30);
        int shstrndx = u16(is64 ? 0x3e : 0x32);
        if (shnum == 0) return;
        if (shentsize < (is64 ? 64 : 40)) throw new BadModuleException("bad section header size " + shentsize);
        check(shoff, (long) shentsize * shnum, "section header table");
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            raw[i] = is64
                    ? new long[] {u32(at), u32(at + 4), u64(at + 8), u64(at + 24), u64(at + 32), u32(at + 40), u64(at + 56)}
                    : new long[] {u32(at), u32(at + 4), u32(at + 8), u32(at + 16), u32(at + 20), u32(at + 24), u32(at + 36)};
        }
        if (shstrndx >= shnum) throw new BadModuleException("section name table index out of range");
        long[] strs = raw[shstrndx];
        check(strs[3], strs[4], "section name table");
        for (long[] r : raw) {
            if (r[1] != 8 /* NOBITS */) check(r[3], r[4], "section contents");
            String name = r[0] < strs[4] ? cstring(strs[3] + r[0], strs[3] + strs[4]) : "";
            sections.add(new Section(name, (int) r[1], r[2], r[3], r[1] == 8 ? 0 : r[4], (int) r[5], r[6]));
        }
    }

    /** Parses {@code data} (an uncompressed module, signature trailer allowed). */
    public static KoFile parse(byte[] data) throws BadModuleException {
        return new KoFile(data);
    }

    public static boolean isElf(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    private void check(long off, long len, String what) throws BadModuleException {
        if (off < 0 || len < 0 || off + len > data.length || off + len < off)
            throw new BadModuleException(what + " lies outside the file");
    }

    private int u16(int at) {
        return ByteBuffer.wrap(data, at, 2).order(order).getShort() & 0xffff;
    }

    private long u32(int at) {
        return ByteBuffer.wrap(data, at, 4).order(order).getInt() & 0xffffffffL;
    }

    private long u64(int at) {
        return ByteBuffer.wrap(data, at, 8).order(order).getLong();
    }

    private String cstring(long from, long limit) {
        int end = (int) from;
        while (end < limit && data[end] != 0) end++;
        return new String(data, (int) from, end - (int) from, StandardCharsets.UTF_8);
    }

    public boolean is64() {
        return is64;
    }

    public int machine() {
        return machine;
    }

    /** ELF e_type: 1 = relocatable, as every module is. */
    public int type() {
        return type;
    }

    public List<Section> sections() {
        return List.copyOf(sections);
    }

    public Section section(String name) {
        for (Section s : sections) if (s.name().equals(name)) return s;
        return null;
    }

    public byte[] contents(Section s) {
        byte[] b = new byte[(int) s.size()];
        System.arraycopy(data, (int) s.offset(), b, 0, b.length);
        return b;
    }

    /** {@code .modinfo} as key -> values, in file order (a key such as {@code alias} may repeat). */
    public Map<String, List<String>> modinfo() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Section s = section(".modinfo");
        if (s == null) return out;
        long end = s.offset() + s.size();
        long at = s.offset();
        while (at < end) {
            String entry = cstring(at, end);
            at += entry.getBytes(StandardCharsets.UTF_8).length + 1;
            int eq = entry.indexOf('=');
            if (entry.isEmpty() || eq <= 0) continue;
            List<String> values = out.get(entry.substring(0, eq));
            if (values == null) {
                values = new ArrayList<>();
                out.put(entry.substring(0, eq), values);
            }
            values.add(entry.substring(eq + 1));
        }
        return out;
    }

    /** The first value of a {@code .modinfo} key, or null. */
    public String modinfo(String key) {
        List<String> v = modinfo().get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The modversions table: entries of 64 bytes, a word-sized CRC then a NUL-padded name. */
    public List<Version> versions() {
        List<Version> out = new ArrayList<>();
        Section s = section("__versions");
        if (s == null) return out;
        int w = is64 ? 8 : 4;
        for (long at = s.offset(); at + 64 <= s.offset() + s.size(); at += 64) {
            long crc = is64 ? u64((int) at) : u32((int) at);
            out.add(new Version(crc & 0xffffffffL, cstring(at + w, at + 64)));
        }
        return out;
    }

    /** Names of the global (non-weak) undefined symbols: what the kernel must supply. */
    public List<String> undefinedSymbols() {
        List<String> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() != SHT_SYMTAB || s.link() >= sections.size()) continue;
            Section strtab = sections.get(s.link());
            int esz = is64 ? 24 : 16;
            for (long at = s.offset() + esz; at + esz <= s.offset() + s.size(); at += esz) {
                long nameOff = u32((int) at);
                int info = data[(int) at + (is64 ? 4 : 12)] & 0xff;
                int shndx = u16((int) at + (is64 ? 6 : 14));
                if (shndx != SHN_UNDEF || (info >> 4) != STB_GLOBAL || nameOff == 0 || nameOff >= strtab.size()) continue;
                out.add(cstring(strtab.offset() + nameOff, strtab.offset() + strtab.size()));
            }
        }
        return out;
    }

    /** A 2.6+ module: the kernel's own module struct section or a vermagic. */
    public boolean isModernModule() {
        return section(".gnu.linkonce.this_module") != null || modinfo("vermagic") != null;
    }

    /** A 2.0-2.4 module (an object insmod itself links): kernel_version in .modinfo, or no this_module. */
    public boolean isLegacyModule() {
        return type == 1 && !isModernModule();
    }

    /** "x86-64 (EM_X86_64, 62)" and friends. */
    public static String machineName(int em) {
        switch (em) {
            case 2: return "SPARC (EM_SPARC, 2)";
            case EM_386: return "i386 (EM_386, 3)";
            case 4: return "m68k (EM_68K, 4)";
            case 8: return "MIPS (EM_MIPS, 8)";
            case 15: return "PA-RISC (EM_PARISC, 15)";
            case 20: return "PowerPC (EM_PPC, 20)";
            case 21: return "PowerPC64 (EM_PPC64, 21)";
            case 22: return "s390 (EM_S390, 22)";
            case EM_ARM: return "ARM (EM_ARM, 40)";
            case 42: return "SuperH (EM_SH, 42)";
            case 43: return "SPARC64 (EM_SPARCV9, 43)";
            case 50: return "IA-64 (EM_IA_64, 50)";
            case EM_X86_64: return "x86-64 (EM_X86_64, 62)";
            case EM_AARCH64: return "AArch64 (EM_AARCH64, 183)";
            case 243: return "RISC-V (EM_RISCV, 243)";
            case 258: return "LoongArch (EM_LOONGARCH, 258)";
            case 0x9026: return "Alpha (EM_ALPHA, 0x9026)";
            default: return "machine " + em;
        }
    }

    /**
     * The ELF machine and class a kernel with this {@code uname -m} loads, as {machine, 32|64},
     * or null when insmod does not know.
     */
    public static int[] expectedFor(String unameMachine) {
        if (unameMachine == null) return null;
        String m = unameMachine.trim();
        if (m.equals("x86_64") || m.equals("amd64")) return new int[] {EM_X86_64, 64};
        if (m.matches("i[3-6]86") || m.equals("x86")) return new int[] {EM_386, 32};
        if (m.equals("aarch64") || m.equals("arm64")) return new int[] {EM_AARCH64, 64};
        if (m.startsWith("arm")) return new int[] {EM_ARM, 32};
        return null;
    }
}
