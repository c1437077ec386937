package org.modutils.insmod.deps;

/** fnmatch(3) without flags, as kmod matches aliases: '*', '?', and bracket sets with ranges and '!'/'^'. */
public final class Fnmatch {
    private Fnmatch() {}

    public static boolean matches(String pattern, String text) {
        return match(pattern, 0, text, 0);
    }

    private static boolean match(String p, int pi, String t, int ti) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') pi++;
                if (pi == p.length()) return true;
                for (int k = ti; k <= t.length(); k++) if (match(p, pi, t, k)) return true;
                return false;
            }
            if (ti >= t.length()) return false;
            if (c == '?') {
                pi++;
                ti++;
            } else if (c == '[') {
                int end = bracketEnd(p, pi);
                if (end < 0) {
                    if (t.charAt(ti) != '[') return false;
                    pi++;
                    ti++;
                    continue;
                }
                if (!inSet(p, pi + 1, end, t.charAt(ti))) return false;
                pi = end + 1;
                ti++;
            } else {
                if (c == '\\' && pi + 1 < p.length()) c = p.charAt(++pi);
                if (c != t.charAt(ti)) return false;
                pi++;
                ti++;
            }
        }
        return ti == t.length();
    }

    /** Index of the ']' closing the set opened at {@code open}, or -1. */
    private static int bracketEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++;
        while (i < p.length() && p.charAt(i) != ']') i++;
        return i < p.length() ? i : -1;
    }

    private static boolean inSet(String p, int from, int end, char c) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean hit = false;
        boolean first = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (!first && lo == ']') break;
            first = false;
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                if (c >= lo && c <= p.charAt(i + 2)) hit = true;
                i += 3;
            } else {
                if (c == lo) hit = true;
                i++;
            }
        }
        return hit != negate;
    }
}
