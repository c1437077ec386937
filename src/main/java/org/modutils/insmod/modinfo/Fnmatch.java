package org.modutils.insmod.modinfo;

/** fnmatch(3) with flags 0, as the alias index lookup uses it: {@code * ? [...] [!...] [^...]} and backslash escapes. */
final class Fnmatch {
    private Fnmatch() {}

    static boolean matches(String pattern, String s) {
        return match(pattern, 0, s, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*': {
                    while (pi < p.length() && p.charAt(pi) == '*') pi++;
                    if (pi == p.length()) return true;
                    for (int k = si; k <= s.length(); k++) if (match(p, pi, s, k)) return true;
                    return false;
                }
                case '?':
                    if (si >= s.length()) return false;
                    pi++;
                    si++;
                    break;
                case '[': {
                    int end = classEnd(p, pi);
                    if (end < 0) { // no closing bracket: a literal '['
                        if (si >= s.length() || s.charAt(si) != '[') return false;
                        pi++;
                        si++;
                        break;
                    }
                    if (si >= s.length() || !inClass(p, pi + 1, end, s.charAt(si))) return false;
                    pi = end + 1;
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < p.length()) {
                        pi++;
                        c = p.charAt(pi);
                    }
                    // fall through: the escaped character is literal
                default:
                    if (si >= s.length() || s.charAt(si) != c) return false;
                    pi++;
                    si++;
            }
        }
        return si == s.length();
    }

    /** Index of the ']' closing the class opened at {@code open}, or -1. */
    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++;
        for (; i < p.length(); i++) if (p.charAt(i) == ']') return i;
        return -1;
    }

    private static boolean inClass(String p, int from, int end, char c) {
        boolean negate = from < end && (p.charAt(from) == '!' || p.charAt(from) == '^');
        if (negate) from++;
        boolean hit = false;
        for (int i = from; i < end; i++) {
            char lo = p.charAt(i);
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                if (c >= lo && c <= p.charAt(i + 2)) hit = true;
                i += 2;
            } else if (lo == c) {
                hit = true;
            }
        }
        return hit != negate;
    }
}
