package org.modutils.insmod.module;

/** C's strtoul as modutils uses it: whitespace, sign, base 0/8/10/16, wrap to the target width. */
final class CNum {
    private CNum() {}

    /** Result of a parse: the value and the index just past the digits (== start when none). */
    record Parsed(long value, int end) {}

    static Parsed strtoul(String s, int start, int base, boolean wide) {
        int i = start, n = s.length();
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        if ((base == 0 || base == 16) && i + 1 < n && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && i + 2 < n && digit(s.charAt(i + 2)) >= 0
                && digit(s.charAt(i + 2)) < 16) {
            i += 2;
            base = 16;
        } else if (base == 0) {
            base = i < n && s.charAt(i) == '0' ? 8 : 10;
        }
        long max = wide ? -1L : 0xffffffffL;
        long v = 0;
        boolean overflow = false;
        int digits = i;
        while (i < n) {
            int d = digit(s.charAt(i));
            if (d < 0 || d >= base) {
                break;
            }
            if (!overflow) {
                long nv = v * base + d;
                boolean over = wide ? Long.compareUnsigned(v, Long.divideUnsigned(-1L, base)) > 0
                        || Long.compareUnsigned(nv, v * base) < 0 : nv > max;
                if (over) {
                    overflow = true;
                } else {
                    v = nv;
                }
            }
            i++;
        }
        if (i == digits) {
            return new Parsed(0, start);
        }
        if (overflow) {
            return new Parsed(max, i);
        }
        if (neg) {
            v = -v & max;
        }
        return new Parsed(v, i);
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'z') return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
        return -1;
    }
}
