package org.modutils.insmod.deps;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.modern.KoFile;

/**
 * What depmod needs from one module object, read the way libkmod reads it: the symbols it
 * exports (the {@code __crc_} symbols of its symbol table, or else the strings of
 * {@code __ksymtab_strings}), the symbols it needs (every undefined symbol, then the
 * {@code __versions} entries no undefined symbol named, such as module_layout), and its
 * {@code .modinfo} aliases and soft dependencies in file order.
 */
public record ModuleFacts(List<Symbol> exports, String exportError, List<Needed> needs,
                          List<String> aliases, List<String> softdeps) {

    /** An exported symbol and its CRC (0 when the module carries none). */
    public record Symbol(String name, long crc) {}

    /** A needed symbol, its expected CRC, and whether the reference is weak. */
    public record Needed(String name, long crc, boolean weak) {}

    private static final int SHN_UNDEF = 0;
    private static final int SHN_ABS = 0xfff1;
    private static final int STB_WEAK = 2;
    private static final int STT_SPARC_REGISTER = 13;
    private static final byte[] CRC = "__crc_".getBytes(StandardCharsets.US_ASCII);

    /** Reads an uncompressed module. */
    public static ModuleFacts read(byte[] data) throws KoFile.BadModuleException {
        KoFile ko = KoFile.parse(data);
        ByteBuffer b = ByteBuffer.wrap(data).order(data[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        Symtab st = Symtab.of(ko);
        List<Symbol> exports = null;
        String exportError = null;
        if (st != null) exports = crcExports(ko, b, st);
        if (exports == null || exports.isEmpty()) {
            exports = new ArrayList<>();
            exportError = ksymtabStrings(ko, data, exports);
        }
        List<Needed> needs = st == null ? List.of() : needs(ko, b, st);
        List<String> aliases = new ArrayList<>();
        List<String> softdeps = new ArrayList<>();
        modinfo(ko, data, aliases, softdeps);
        return new ModuleFacts(exports, exportError, needs, aliases, softdeps);
    }

    /** The symbol and string tables, found by name as libkmod finds them. */
    private record Symtab(long off, int count, int entsize, long strOff, long strLen, boolean is64) {
        static Symtab of(KoFile ko) {
            KoFile.Section sym = ko.section(".symtab");
            KoFile.Section str = ko.section(".strtab");
            if (sym == null || str == null) return null;
            int entsize = ko.is64() ? 24 : 16;
            if (sym.size() % entsize != 0) return null;
            return new Symtab(sym.offset(), (int) (sym.size() / entsize), entsize, str.offset(), str.size(), ko.is64());
        }

        long entry(int i) {
            return off + (long) i * entsize;
        }

        int nameOff(ByteBuffer b, int i) {
            return b.getInt((int) entry(i));
        }

        int info(ByteBuffer b, int i) {
            return b.get((int) entry(i) + (is64 ? 4 : 12)) & 0xff;
        }

        int shndx(ByteBuffer b, int i) {
            return b.getShort((int) entry(i) + (is64 ? 6 : 14)) & 0xffff;
        }

        long value(ByteBuffer b, int i) {
            return is64 ? b.getLong((int) entry(i) + 8) : b.getInt((int) entry(i) + 4) & 0xffffffffL;
        }
    }

    private static List<Symbol> crcExports(KoFile ko, ByteBuffer b, Symtab st) {
        List<Symbol> out = new ArrayList<>();
        byte[] data = b.array();
        for (int i = 1; i < st.count(); i++) {
            long nameOff = st.nameOff(b, i) & 0xffffffffL;
            if (nameOff >= st.strLen()) return null;
            int at = (int) (st.strOff() + nameOff);
            if (!startsWith(data, at, CRC)) continue;
            String name = cstring(data, at + CRC.length, st.strOff() + st.strLen());
            out.add(new Symbol(name, crc(ko, b, st.value(b, i), st.shndx(b, i))));
        }
        return out;
    }

    /** A CRC symbol's value is the CRC itself when absolute, else its offset in its section. */
    private static long crc(KoFile ko, ByteBuffer b, long value, int shndx) {
        if (shndx == SHN_ABS || shndx == SHN_UNDEF) return value;
        List<KoFile.Section> secs = ko.sections();
        if (shndx >= secs.size()) return -1L;
        KoFile.Section s = secs.get(shndx);
        if (s.size() < 4 || value < 0 || value > s.size() - 4) return -1L;
        return b.getInt((int) (s.offset() + value)) & 0xffffffffL;
    }

    /** Fills {@code out} from {@code __ksymtab_strings}; returns kmod's error text, or null. */
    private static String ksymtabStrings(KoFile ko, byte[] data, List<Symbol> out) {
        KoFile.Section s = ko.section("__ksymtab_strings");
        if (s == null) return null;
        int from = (int) s.offset();
        int end = (int) (s.offset() + s.size());
        if (from == end) return null;
        while (from < end - 1 && data[from] == 0) from++;
        if (data[end - 1] != 0) return "Invalid argument";
        int last = from;
        for (int i = from; i < end; i++) {
            if (data[i] != 0) continue;
            if (i > last) out.add(new Symbol(new String(data, last, i - last, StandardCharsets.UTF_8), 0));
            last = i + 1;
        }
        return null;
    }

    private static List<Needed> needs(KoFile ko, ByteBuffer b, Symtab st) {
        byte[] data = b.array();
        KoFile.Section vs = ko.section("__versions");
        int verlen = 64; // a word-sized CRC and the name: 64 bytes on both classes
        int crclen = ko.is64() ? 8 : 4;
        int vercount = vs == null || vs.size() % verlen != 0 ? 0 : (int) (vs.size() / verlen);
        String[] verNames = new String[vercount];
        long[] verCrcs = new long[vercount];
        for (int v = 0; v < vercount; v++) {
            long at = vs.offset() + (long) v * verlen;
            verNames[v] = cstring(data, (int) at + crclen, at + verlen);
            verCrcs[v] = crclen == 8 ? b.getLong((int) at) : b.getInt((int) at) & 0xffffffffL;
        }
        boolean[] visited = new boolean[vercount];
        boolean sparc = ko.machine() == 2 || ko.machine() == 43;
        List<Needed> out = new ArrayList<>();
        for (int i = 1; i < st.count(); i++) {
            if (st.shndx(b, i) != SHN_UNDEF) continue;
            int info = st.info(b, i);
            if (sparc && (info & 0xf) == STT_SPARC_REGISTER) continue;
            long nameOff = st.nameOff(b, i) & 0xffffffffL;
            if (nameOff >= st.strLen()) return List.of();
            if (data[(int) (st.strOff() + nameOff)] == 0) continue;
            String name = cstring(data, (int) (st.strOff() + nameOff), st.strOff() + st.strLen());
            long crc = 0;
            for (int v = 0; v < vercount; v++) {
                if (verNames[v].equals(name)) {
                    visited[v] = true;
                    crc = verCrcs[v];
                    break;
                }
            }
            out.add(new Needed(name, crc, (info >> 4) == STB_WEAK));
        }
        for (int v = 0; v < vercount; v++) {
            if (!visited[v]) out.add(new Needed(verNames[v], verCrcs[v], false));
        }
        return out;
    }

    private static void modinfo(KoFile ko, byte[] data, List<String> aliases, List<String> softdeps) {
        KoFile.Section s = ko.section(".modinfo");
        if (s == null) return;
        int end = (int) (s.offset() + s.size());
        int at = (int) s.offset();
        while (at < end) {
            int z = at;
            while (z < end && data[z] != 0) z++;
            if (z > at) {
                if (startsWith(data, at, ALIAS)) aliases.add(new String(data, at + ALIAS.length, z - at - ALIAS.length, StandardCharsets.UTF_8));
                else if (startsWith(data, at, SOFTDEP)) softdeps.add(new String(data, at + SOFTDEP.length, z - at - SOFTDEP.length, StandardCharsets.UTF_8));
            }
            at = z + 1;
        }
    }

    private static final byte[] ALIAS = "alias=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOFTDEP = "softdep=".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at + prefix.length > data.length) return false;
        for (int k = 0; k < prefix.length; k++) if (data[at + k] != prefix[k]) return false;
        return true;
    }

    private static String cstring(byte[] data, int from, long limit) {
        int end = from;
        while (end < limit && end < data.length && data[end] != 0) end++;
        return new String(data, from, end - from, StandardCharsets.UTF_8);
    }
}
