package org.modutils.insmod.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The original's next_word: one word (quotes keep blanks inside it) and the rest; and small text helpers. */
final class Words {
    final String word;
    final String rest;

    private Words(String word, String rest) {
        this.word = word;
        this.rest = rest;
    }

    static Words next(String pt) {
        int n = pt.length();
        int i = 0;
        while (i < n && !Character.isWhitespace(pt.charAt(i))) {
            char c = pt.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                for (i++; i < n && pt.charAt(i) != c; i++) {
                    if (pt.charAt(i) == '\\' && i + 1 < n && pt.charAt(i + 1) == c) {
                        i++;
                    }
                }
                if (i >= n) {
                    break;
                }
            }
            i++;
        }
        String word = pt.substring(0, Math.min(i, n));
        int j = i;
        while (j < n && Character.isWhitespace(pt.charAt(j))) {
            j++;
        }
        return new Words(word, j < n ? pt.substring(j) : "");
    }

    static String skipBlanks(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    static Path pathOrNull(String s) {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String first(java.util.List<String> g) {
        return firstOr(g, "");
    }

    /** The first of the words, or {@code otherwise} when there is none (or no list). */
    static String firstOr(java.util.List<String> g, String otherwise) {
        return g != null && !g.isEmpty() ? g.get(0) : otherwise;
    }
}
