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
        long start = f.mask(-1L), end = 0;
        int k = 0;
        for (int i = 0; i < nsec; i++) {
            LinkSection s = f.section(i);
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
        List<long[]> syms = new ArrayList<>(); // {section_off, addr, name_off}
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
        int symbolOff = hdrSize + loaded * secSize;
        int stringOff = symbolOff + syms.size() * symSize;
        byte[] out = new byte[stringOff + strings.size()];
        Endian.put32(out, 0, hdrSize, be);
        Endian.put32(out, 4, out.length, be);
        Endian.put32(out, 8, loaded, be);
        if (w) {
            Endian.put64(out, 16, hdrSize, be);
            Endian.put32(out, 24, secSize, be);
            Endian.put32(out, 28, syms.size(), be);
            Endian.put64(out, 32, symbolOff, be);
            Endian.put32(out, 40, symSize, be);
            Endian.put64(out, 48, stringOff, be);
            Endian.put64(out, 56, start, be);
            Endian.put64(out, 64, end, be);
        } else {
            Endian.put32(out, 12, hdrSize, be);
            Endian.put32(out, 16, secSize, be);
            Endian.put32(out, 20, syms.size(), be);
            Endian.put32(out, 24, symbolOff, be);
            Endian.put32(out, 28, symSize, be);
            Endian.put32(out, 32, stringOff, be);
            Endian.put32(out, 36, start, be);
            Endian.put32(out, 40, end, be);
        }
        System.arraycopy(secs, 0, out, hdrSize, secs.length);
        int ws = w ? 8 : 4;
        for (int i = 0; i < syms.size(); i++) {
            long[] s = syms.get(i);
            int o = symbolOff + i * symSize;
            Endian.putWord(out, o, ws, s[0], be);
            Endian.putWord(out, o + ws, ws, s[1], be);
            Endian.putWord(out, o + 2 * ws, ws, s[2], be);
        }
        byte[] str = strings.toByteArray();
        System.arraycopy(str, 0, out, stringOff, str.length);
        return out;
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
