package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.*;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The -m load map, printed exactly as modutils' print_load_map does. Written straight into a
 * Latin-1 byte buffer (names are Latin-1 strings of the object's bytes), with a table-driven hex
 * formatter and a primitive stable sort: on a module with tens of thousands of symbols the map
 * is the largest output, and this keeps it to a few allocations.
 */
public final class LoadMap {
    private LoadMap() {}

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    /** The two hex digits of each byte value, at 2 * value. */
    private static final byte[] HEX2 = new byte[512];

    static {
        for (int b = 0; b < 256; b++) {
            HEX2[2 * b] = HEX[b >> 4];
            HEX2[2 * b + 1] = HEX[b & 0xf];
        }
    }

    /** The map as text (what {@link #bytes} holds). */
    public static String render(ObjFile f) {
        Out o = build(f);
        return new String(o.buf, 0, o.len, StandardCharsets.ISO_8859_1);
    }

    /** The map as insmod -m prints it: Latin-1 bytes, without trailing white space. */
    public static byte[] bytes(ObjFile f) {
        Out o = build(f);
        int end = o.len;
        while (end > 0 && Character.isWhitespace((char) (o.buf[end - 1] & 0xff))) {
            end--; // String.stripTrailing on Latin-1 text
        }
        return java.util.Arrays.copyOf(o.buf, end);
    }

    private static Out build(ObjFile f) {
        int w = 2 * f.target.wordSize();
        Sym[] hashed = f.symbols().ordered();
        Out o = new Out(256 + 64 * f.loadOrder().size() + hashed.length * (w + 24));
        sections(o, f, w);
        int nsec = f.sectionCount();
        boolean[] loaded = new boolean[nsec];
        char[] typeOf = new char[nsec];
        long[] addrOf = new long[nsec];
        for (int i = 0; i < nsec; i++) {
            LinkSection sec = f.section(i);
            loaded[i] = (sec.flags & SHF_ALLOC) != 0;
            typeOf[i] = typeOf(sec);
            addrOf[i] = sec.addr;
        }
        int n = 0;
        Sym[] all = new Sym[hashed.length];
        long[] value = new long[hashed.length];
        for (Sym sym : hashed) {
            int secidx = sym.secidx;
            if (secidx <= SHN_HIRESERVE && (secidx >= SHN_LORESERVE || (secidx < nsec && loaded[secidx]))) {
                // ObjFile.finalValue, with the section's address at hand
                value[n] = secidx >= SHN_LORESERVE ? sym.value : f.mask(sym.value + addrOf[secidx]);
                all[n++] = sym;
            }
        }
        // glibc's qsort is a stable merge sort here: sort by unsigned final value, ties in hash order.
        long[] key = new long[n];
        for (int i = 0; i < n; i++) {
            key[i] = value[i] ^ Long.MIN_VALUE; // unsigned order as signed order
        }
        int[] order = stableOrder(key, n);
        o.ascii("\nSymbols:\n");
        for (int k = 0; k < n; k++) {
            int i = order[k];
            Sym sym = all[i];
            int secidx = sym.secidx;
            char type = secidx == SHN_ABS ? 'A' : secidx == SHN_UNDEF ? 'U' : secidx >= SHN_LORESERVE ? '?' : typeOf[secidx];
            if (stBind(sym.info) == STB_LOCAL && type >= 'A' && type <= 'Z') {
                type += 'a' - 'A';
            }
            o.hex(secidx == SHN_UNDEF ? 0 : f.mask(value[i]), w).ch(' ').ch(type).ch(' ').str(sym.name).ch('\n');
        }
        return o;
    }

    /** The "Sections:" part: name, size, address and alignment of each loaded section. */
    private static void sections(Out o, ObjFile f, int w) {
        o.ascii("Sections:       Size      ").pad("Address", w).ascii("  Align\n");
        for (LinkSection sec : f.loadOrder()) {
            int a = -1;
            for (long tmp = sec.addralign; tmp != 0; tmp >>>= 1) {
                a++;
            }
            if (a == -1) {
                a = 0;
            }
            o.pad(sec.name, 15).ch(' ').hex(f.mask(sec.size), 8).ascii("  ").hex(sec.addr, w).ascii("  2**")
                    .ascii(Integer.toString(a)).ch('\n');
        }
    }

    /** The map's letter for a symbol of {@code sec} (upper case; local symbols get lower case). */
    private static char typeOf(LinkSection sec) {
        if (sec.type == SHT_NOBITS) {
            return 'B';
        }
        if ((sec.flags & SHF_ALLOC) == 0) {
            return '?';
        }
        return (sec.flags & SHF_EXECINSTR) != 0 ? 'T' : (sec.flags & SHF_WRITE) != 0 ? 'D' : 'R';
    }

    /**
     * Indices 0..n-1 ordered by key, equal keys keeping their index order: a radix sort of the
     * keys' offsets from the smallest (11 bits a pass; a module's addresses span a few MB, so two
     * or three passes), or a merge sort when they span more than 44 bits.
     */
    static int[] stableOrder(long[] key, int n) {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, key[i]);
            max = Math.max(max, key[i]);
        }
        int bits = n == 0 ? 0 : 64 - Long.numberOfLeadingZeros(max - min);
        return bits <= 4 * RADIX ? radixOrder(key, n, min, (bits + RADIX - 1) / RADIX) : mergeOrder(key, n);
    }

    private static final int RADIX = 11;

    /** {@link #stableOrder} by {@code passes} least-significant-digit-first counting passes. */
    private static int[] radixOrder(long[] key, int n, long min, int passes) {
        int[] a = new int[n];
        int[] b = new int[n];
        int[] digit = new int[n];
        int[] count = new int[(1 << RADIX) + 1];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int p = 0; p < passes; p++) {
            int shift = p * RADIX;
            Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                int d = (int) ((key[a[i]] - min) >>> shift) & ((1 << RADIX) - 1);
                digit[i] = d;
                count[d + 1]++;
            }
            for (int d = 0; d < 1 << RADIX; d++) {
                count[d + 1] += count[d];
            }
            for (int i = 0; i < n; i++) {
                b[count[digit[i]]++] = a[i];
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    /** {@link #stableOrder} by a merge sort. */
    static int[] mergeOrder(long[] key, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                if (mid >= hi || key[a[mid - 1]] <= key[a[mid]]) {
                    System.arraycopy(a, lo, b, lo, hi - lo); // already in order
                    continue;
                }
                while (i < mid && j < hi) {
                    b[k++] = key[a[j]] < key[a[i]] ? a[j++] : a[i++];
                }
                while (i < mid) {
                    b[k++] = a[i++];
                }
                while (j < hi) {
                    b[k++] = a[j++];
                }
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    /** A growable Latin-1 byte buffer. */
    private static final class Out {
        byte[] buf;
        int len;

        Out(int capacity) {
            buf = new byte[Math.max(64, capacity)];
        }

        private void room(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(len + more, 2 * buf.length));
            }
        }

        Out ch(char c) {
            room(1);
            buf[len++] = (byte) c;
            return this;
        }

        /** A string of characters below 256 (names are decoded from the object as Latin-1). */
        @SuppressWarnings("deprecation")
        Out str(String s) {
            int l = s.length();
            room(l);
            s.getBytes(0, l, buf, len); // Latin-1 truncation is exact for these strings
            len += l;
            return this;
        }

        Out ascii(String s) {
            return str(s);
        }

        Out pad(String s, int width) {
            str(s);
            int fill = width - s.length();
            if (fill > 0) {
                room(fill);
                Arrays.fill(buf, len, len + fill, (byte) ' ');
                len += fill;
            }
            return this;
        }

        /** Lower-case hex of {@code v}, zero-padded to at least {@code width} digits; two a step. */
        Out hex(long v, int width) {
            int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) >> 2);
            int total = Math.max(width, digits);
            room(total);
            int end = len + total;
            int p = end - 1;
            for (; p > len; p -= 2) {
                int b = (int) (v & 0xff) << 1;
                buf[p] = HEX2[b + 1];
                buf[p - 1] = HEX2[b];
                v >>>= 8;
            }
            if (p == len) {
                buf[p] = HEX[(int) (v & 0xf)];
            }
            len = end;
            return this;
        }
    }
}
