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
        int nsec = f.sectionCount();
        boolean[] loaded = new boolean[nsec];
        for (int i = 0; i < nsec; i++) {
            loaded[i] = (f.section(i).flags & SHF_ALLOC) != 0;
        }
        int n = 0;
        Sym[] all = new Sym[hashed.length];
        for (Sym sym : hashed) {
            if (sym.secidx <= SHN_HIRESERVE && (sym.secidx >= SHN_LORESERVE
                    || (sym.secidx < loaded.length && loaded[sym.secidx]))) {
                all[n++] = sym;
            }
        }
        // glibc's qsort is a stable merge sort here: sort by unsigned final value, ties in hash order.
        long[] key = new long[n];
        for (int i = 0; i < n; i++) {
            key[i] = f.finalValue(all[i]) ^ Long.MIN_VALUE; // unsigned order as signed order
        }
        int[] order = stableOrder(key, n);
        o.ascii("\nSymbols:\n");
        for (int k = 0; k < n; k++) {
            Sym sym = all[order[k]];
            char type = '?';
            long value;
            if (sym.secidx == SHN_ABS) {
                type = 'A';
                value = sym.value;
            } else if (sym.secidx == SHN_UNDEF) {
                type = 'U';
                value = 0;
            } else if (sym.secidx >= SHN_LORESERVE) {
                value = sym.value;
            } else {
                LinkSection sec = f.section(sym.secidx);
                if (sec.type == SHT_NOBITS) {
                    type = 'B';
                } else if ((sec.flags & SHF_ALLOC) != 0) {
                    if ((sec.flags & SHF_EXECINSTR) != 0) {
                        type = 'T';
                    } else if ((sec.flags & SHF_WRITE) != 0) {
                        type = 'D';
                    } else {
                        type = 'R';
                    }
                }
                value = f.mask(sym.value + sec.addr);
            }
            if (stBind(sym.info) == STB_LOCAL) {
                type = Character.toLowerCase(type);
            }
            o.hex(f.mask(value), w).ch(' ').ch(type).ch(' ').str(sym.name).ch('\n');
        }
        return o;
    }

    /** Indices 0..n-1 ordered by key, equal keys keeping their index order (a merge sort). */
    static int[] stableOrder(long[] key, int n) {
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

        /** Lower-case hex of {@code v}, zero-padded to at least {@code width} digits. */
        Out hex(long v, int width) {
            int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) >> 2);
            int total = Math.max(width, digits);
            room(total);
            int end = len + total;
            for (int p = end - 1; p >= len; p--) {
                buf[p] = HEX[(int) (v & 0xf)];
                v >>>= 4;
            }
            len = end;
            return this;
        }
    }
}
