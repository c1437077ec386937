package org.modutils.insmod.config;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.modutils.insmod.report.UserError;

/**
 * The {@code if/elseif/else/endif} of one configuration file (do_read's {@code state[]}): 1 means
 * the lines are read, 0 an untaken branch, 2 a branch after a taken one (or inside an off block).
 */
final class Conditionals {
    static final int MAX_LEVEL = 20;

    private final ConfigContext ctx;
    private final MetaExpander meta;
    /** state[level]; level 0 is the file itself, always read. */
    private final int[] state;
    private int level;

    Conditionals(ConfigContext ctx, MetaExpander meta) {
        this.state = new int[MAX_LEVEL + 1];
        state[0] = 1;
        this.ctx = ctx;
        this.meta = meta;
    }

    /** True when the keyword was one of if/elseif/else/endif and has been taken care of. */
    boolean handle(String parm, boolean assgn, String arg, int lineno) throws UserError {
        if (!assgn && parm.equals("endif")) {
            if (level <= 0) throw new UserError("unmatched endif in line " + lineno);
            --level;
            return true;
        }
        if (!assgn && parm.equals("else")) {
            if (level <= 0) throw new UserError("else without if in line " + lineno);
            state[level] = state[level] == 0 ? 1 : 0;
            return true;
        }
        if (!assgn && parm.equals("elseif")) {
            if (level <= 0) throw new UserError("elseif without if in line " + lineno);
            if (state[level] != 0) {
                state[level] = 2; // an earlier branch was taken, or the block is off
                return true;
            }
            --level;
            return open(arg, lineno);
        }
        return parm.equals("if") && open(arg, lineno);
    }

    private boolean open(String arg, int lineno) throws UserError {
        if (level >= MAX_LEVEL) throw new UserError("Too many nested if's in line " + lineno);
        boolean parentOn = state[level] == 1;
        ++level;
        state[level] = parentOn ? evaluate(arg) : 2;
        return true;
    }

    /** Lines at this point are read. */
    boolean active() {
        return state[level] == 1;
    }

    boolean balanced() {
        return level == 0;
    }

    /** The value of an if/elseif expression: 1 true, 0 false. */
    private int evaluate(String arg) {
        boolean not = false;
        if (arg.startsWith("!")) {
            not = true;
            arg = Words.next(arg).rest;
        }
        int result;
        if (arg.startsWith("-k")) {
            result = ctx.autoclean() ? 1 : 0;
        } else if (arg.startsWith("-f")) {
            String fileArg = Words.next(arg).rest;
            String f = Words.firstOr(meta.expand(fileArg), fileArg);
            Path p = f.isEmpty() ? null : Words.pathOrNull(f);
            result = p != null && Files.isReadable(p) ? 1 : 0;
        } else {
            result = compare(arg);
        }
        return not ? 1 - result : result;
    }

    /** WORD, or [-n] WORD OP WORD. */
    private int compare(String arg) {
        boolean numeric = false;
        if (arg.startsWith("-n")) {
            numeric = true;
            arg = Words.next(arg).rest;
        }
        Words first = Words.next(arg);
        if (first.rest.isEmpty()) {
            String w = Words.first(meta.expand(first.word));
            return !w.isEmpty() && !w.equals("0") && !w.equals("false") ? 1 : 0;
        }
        Words op = Words.next(first.rest);
        String w1 = Words.first(meta.expand(first.word));
        String w2 = Words.first(meta.expand(op.rest));
        int c = numeric ? Long.compare(strtol(w1), strtol(w2)) : compareBytes(w1, w2);
        return switch (op.word) {
            case "==", "=" -> c == 0 ? 1 : 0;
            case "!=" -> c != 0 ? 1 : 0;
            case ">=" -> c >= 0 ? 1 : 0;
            case "<=" -> c <= 0 ? 1 : 0;
            case ">" -> c > 0 ? 1 : 0;
            case "<" -> c < 0 ? 1 : 0;
            default -> 0;
        };
    }

    private static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.ISO_8859_1), b.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** strtol(s, NULL, 0): leading blanks, sign, 0x/0 prefixes, stops at the first bad digit. */
    static long strtol(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i + 2 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && Character.digit(s.charAt(i + 2), 16) >= 0) {
            base = 16;
            i += 2;
        } else if (i < n && s.charAt(i) == '0') {
            base = 8;
        }
        BigInteger v = BigInteger.ZERO;
        BigInteger b = BigInteger.valueOf(base);
        for (; i < n; i++) {
            int d = Character.digit(s.charAt(i), base);
            if (d < 0) {
                break;
            }
            v = v.multiply(b).add(BigInteger.valueOf(d));
        }
        if (neg) {
            v = v.negate();
        }
        if (v.bitLength() > 63) {
            return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return v.longValue();
    }
}
