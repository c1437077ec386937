package org.modutils.insmod.link;

/**
 * How symbol names hash and compare. The plain form is the ELF hash and string equality; when
 * only one of kernel and module uses symbol versions, names differing only by a
 * {@code _R[prefix]xxxxxxxx} suffix are equal and hash alike (modutils' ncv_strcmp/ncv_symbol_hash).
 */
public interface SymbolNaming {
    long hash(String name);

    boolean same(String a, String b);

    /** True when {@link #same} is String.equals and {@link #hash} depends on nothing else. */
    default boolean isPlain() {
        return false;
    }

    /** The ELF hash of the first {@code n} characters, with the target's unsigned long width. */
    static long elfHash(String s, int n, boolean wide) {
        long h = 0;
        for (int i = 0; i < n; i++) {
            h = (h << 4) + (s.charAt(i) & 0xff);
            if (!wide) {
                h &= 0xffffffffL;
            }
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
                h &= ~g;
            }
        }
        return h;
    }

    static SymbolNaming plain(boolean wide) {
        return new SymbolNaming() {
            @Override
            public long hash(String name) {
                return elfHash(name, name.length(), wide);
            }

            @Override
            public boolean same(String a, String b) {
                return a.equals(b);
            }

            @Override
            public boolean isPlain() {
                return true;
            }
        };
    }

    /** modutils' comparison for a kernel and module that disagree about symbol versions. */
    static SymbolNaming unversioned(String prefix, boolean wide) {
        int pl = prefix.length();
        return new SymbolNaming() {
            @Override
            public long hash(String s) {
                int len = s.length();
                if (len > 10 + pl && s.charAt(len - 10 - pl) == '_' && s.charAt(len - 9 - pl) == 'R'
                        && (pl == 0 || s.startsWith(prefix, len - 8 - pl))) {
                    len -= 10 + pl;
                }
                return elfHash(s, len, wide);
            }

            @Override
            public boolean same(String a, String b) {
                int al = a.length(), bl = b.length();
                if (bl == al + 10 + pl && b.charAt(al) == '_' && b.charAt(al + 1) == 'R'
                        && (pl == 0 || b.startsWith(prefix, al + 2))) {
                    return b.startsWith(a);
                }
                if (al == bl + 10 + pl && a.charAt(bl) == '_' && a.charAt(bl + 1) == 'R'
                        && (pl == 0 || a.startsWith(prefix, bl + 2))) {
                    return a.startsWith(b);
                }
                return a.equals(b);
            }
        };
    }
}
