package org.modutils.insmod.module;

import static org.modutils.insmod.elf.Elf.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.elf.Endian;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.ObjFile;

/**
 * The __kallsyms section modutils appends for kernel debuggers: a header, one entry per loaded
 * section, one per symbol in a loaded section (sorted by address, then name), then the strings.
 * All "pointers" are offsets into the section, except section starts and symbol addresses.
 */
final class Kallsyms {
    private Kallsyms() {}

    /**
     * add_kallsyms, first time: the __kallsyms section when the kernel has kallsyms
     * (__start___kallsyms below __stop___kallsyms) or -S asks for it, else null.
     */
    static LinkSection add(ObjFile f, java.util.List<org.modutils.insmod.kernel.KernelSymbol> kernel, boolean force) {
        long start = 0, stop = 0;
        for (org.modutils.insmod.kernel.KernelSymbol s : kernel) {
            String p = s.name();
            int r = p.indexOf("_R");
            int l = r >= 0 ? r : p.length();
            if (prefixOf(p, l, "__start___kallsyms")) {
                start = s.value();
            } else if (prefixOf(p, l, "__stop___kallsyms")) {
                stop = s.value();
            }
        }
        if (Long.compareUnsigned(start, stop) >= 0 && !force) {
            return null;
        }
        LinkSection sec = f.find("__kallsyms");
        if (sec == null) {
            sec = f.createAllocedSection("__kallsyms", 0, 0, 0);
        }
        fill(f, sec);
        return sec;
    }

    /** (Re)builds the contents of the section: the original builds it twice, before and after relocation. */
    static void fill(ObjFile f, LinkSection sec) {
        byte[] data = build(f);
        sec.addralign = 4;
        sec.size = data.length;
        sec.setContents(data);
    }

    /** strncmp(p, s, l) == 0 for the first {@code l} characters of {@code p}. */
    private static boolean prefixOf(String p, int l, String s) {
        return l <= s.length() && s.startsWith(p.substring(0, l));
    }

    static byte[] build(ObjFile f) {
        boolean w = f.wide, be = f.bigEndian;
        int hdrSize = w ? 72 : 44, secSize = w ? 32 : 16, symSize = w ? 24 : 12;
        int nsec = f.sectionCount();
        int[] secOff = new int[nsec];
        int loaded = 0;
        for (int i = 0; i < nsec; i++) {
            if ((f.section(i).flags & SHF_ALLOC) != 0) {
                secOff[i] = loaded * secSize;
                loaded++;
            } else {
                secOff[i] = -1;
            }
        }
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        byte[] secs = new byte[loaded * secSize];
        long[] span = sectionTable(f, secs, secSize, strings);
        List<long[]> syms = symbols(f, secOff, strings);
        int symbolOff = hdrSize + loaded * secSize;
        int stringOff = symbolOff + syms.size() * symSize;
        byte[] out = new byte[stringOff + strings.size()];
        putHeader(out, w, be, hdrSize, out.length, loaded, hdrSize, secSize, syms.size(), symbolOff, symSize,
                stringOff, span[0], span[1]);
        System.arraycopy(secs, 0, out, hdrSize, secs.length);
        int ws = w ? 8 : 4;
        for (int i = 0; i < syms.size(); i++) {
            long[] sym = syms.get(i);
            int o = symbolOff + i * symSize;
            Endian.putWord(out, o, ws, sym[0], be);
            Endian.putWord(out, o + ws, ws, sym[1], be);
            Endian.putWord(out, o + 2 * ws, ws, sym[2], be);
        }
        byte[] str = strings.toByteArray();
        System.arraycopy(str, 0, out, stringOff, str.length);
        return out;
    }

    /**
     * The allocated sections into {@code secs} (address, size, name offset, flags), their names
     * into {@code strings}; returns the lowest start and the highest end.
     */
    private static long[] sectionTable(ObjFile f, byte[] secs, int secSize, ByteArrayOutputStream strings) {
        boolean w = f.wide, be = f.bigEndian;
        long start = f.mask(-1L), end = 0;
        int k = 0;
        for (LinkSection s : f.sections()) {
            if ((s.flags & SHF_ALLOC) == 0) {
                continue;
            }
            int o = k * secSize;
            Endian.putWord(secs, o, w ? 8 : 4, s.addr, be);
            Endian.put32(secs, o + (w ? 8 : 4), s.size, be);
            Endian.putWord(secs, o + (w ? 16 : 8), w ? 8 : 4, strings.size(), be);
            Endian.put32(secs, o + (w ? 24 : 12), s.flags, be);
            append(strings, s.name);
            if (Long.compareUnsigned(s.addr, start) < 0) {
                start = s.addr;
            }
            long e = f.mask(s.addr + s.size);
            if (Long.compareUnsigned(e, end) > 0) {
                end = e;
            }
            k++;
        }
        return new long[] {start, end};
    }

    /**
     * The symbols of allocated sections (not gcc2_compiled. or __insmod_*) as {section offset,
     * address, name offset, -}, names appended to {@code strings}, by address then name.
     */
    private static List<long[]> symbols(ObjFile f, int[] secOff, ByteArrayOutputStream strings) {
        int nsec = secOff.length;
        List<long[]> syms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        f.symbols().forEach(sym -> {
            if (sym.secidx >= nsec || secOff[sym.secidx] == -1) {
                return;
            }
            if (sym.name.equals("gcc2_compiled.") || sym.name.startsWith("__insmod_")) {
                return;
            }
            long base = f.elf.type() == ET_EXEC ? 0 : f.section(sym.secidx).addr; // a linked file's values are addresses
            syms.add(new long[] {secOff[sym.secidx], f.mask(sym.value + base), strings.size(),
                    names.size()});
            names.add(sym.name);
            append(strings, sym.name);
        });
        syms.sort((a, b) -> {
            int c = Long.compareUnsigned(a[1], b[1]);
            return c != 0 ? c : compareC(names.get((int) a[3]), names.get((int) b[3]));
        });
        return syms;
    }

    /** The header's fields in order: 0 for a pointer-sized one (aligned to its size), else the size in bytes. */
    private static final int[] HEADER = {4, 4, 4, 0, 4, 4, 0, 4, 0, 0, 0};

    /**
     * struct kallsyms_header: size, total_size, sections, section_off, section_size, symbols,
     * symbol_off, symbol_size, string_off, start, end.
     */
    private static void putHeader(byte[] out, boolean w, boolean be, long... values) {
        int at = 0;
        for (int i = 0; i < HEADER.length; i++) {
            int size = HEADER[i] != 0 ? HEADER[i] : (w ? 8 : 4);
            at = (at + size - 1) & -size;
            Endian.putWord(out, at, size, values[i], be);
            at += size;
        }
    }

    private static void append(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        b.write(0);
    }

    /** strcmp on the bytes of two names. */
    static int compareC(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            int d = (a.charAt(i) & 0xff) - (b.charAt(i) & 0xff);
            if (d != 0) {
                return d;
            }
        }
        return a.length() - b.length();
    }
}
