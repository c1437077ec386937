package org.modutils.insmod.deps;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel command line's {@code module.param=value} words as kmod 30's libkmod reads them
 * (established against kmod 30 with chosen command lines): words end at blanks outside double
 * quotes; the first '.' ends the module name; a second '.' before the '=', an '=' before any
 * '.', or a quote before the value's '=' makes the word ignored, as does a quote left open at
 * the end; a word that opens with a quote gets that quote moved after the '=' ({@code "m.p=a b"}
 * is {@code m p="a b"}). A word without a '.' is the kernel's and is skipped.
 */
final class KernelCmdline {
    /** One module word: the module name as written and the parameter text after the '.'. */
    record Word(String module, String param) {}

    private KernelCmdline() {}

    static List<Word> parse(String cmdline) {
        List<Word> out = new ArrayList<>();
        int n = cmdline.length();
        int start = 0;
        boolean quoted = false;
        boolean leadingQuote = false;
        boolean bad = false;
        int dot = -1;
        int eq = -1;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? cmdline.charAt(i) : ' ';
            if (i < n && c == '"') {
                if (i == start) {
                    leadingQuote = true;
                } else if (eq < 0) {
                    bad = true;
                }
                quoted = !quoted;
                continue;
            }
            if (isSpace(c) && (!quoted || i == n)) {
                if (!bad && !quoted && dot >= 0) out.add(word(cmdline, start, dot, eq, i, leadingQuote));
                start = i + 1;
                quoted = leadingQuote = bad = false;
                dot = eq = -1;
            } else if (c == '.') {
                if (dot < 0) dot = i;
                else if (eq < 0) bad = true;
            } else if (c == '=' && eq < 0) {
                if (dot < 0) bad = true;
                else eq = i;
            }
        }
        return out;
    }

    private static Word word(String s, int start, int dot, int eq, int end, boolean leadingQuote) {
        String module = s.substring(leadingQuote ? start + 1 : start, dot);
        String param = leadingQuote
                ? s.substring(dot + 1, eq + 1) + '"' + s.substring(eq + 1, end)
                : s.substring(dot + 1, end);
        return new Word(module, param);
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }
}
