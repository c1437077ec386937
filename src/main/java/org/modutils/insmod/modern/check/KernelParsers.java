package org.modutils.insmod.modern.check;

import java.math.BigInteger;

/**
 * The value parsers of the kernel's kernel/params.c and lib/kstrtox.c, as far as they decide
 * whether a value is accepted: kstrto{u8,s16,u16,int,uint,long,ulong,ull} with base 0 (0x hex,
 * 0 octal, optional '+', '-' for signed types, one trailing newline), hexint (base 16),
 * kstrtobool, charp (at most 1024 bytes), string (its buffer size), arrays (their count).
 * Each returns null when the value is accepted, else "EINVAL", "ERANGE" or "ENOSPC".
 */
final class KernelParsers {
    private KernelParsers() {}

    /** A scalar type name ("int", "bool", ...) or null when the kernel has no such standard type. */
    static String scalar(String type, String val, boolean is64) {
        switch (type) {
            case "byte": return unsigned(val, 0, 8);
            case "ushort": return unsigned(val, 0, 16);
            case "uint": return unsigned(val, 0, 32);
            case "hexint": return unsigned(val, 16, 32);
            case "ulong": return unsigned(val, 0, is64 ? 64 : 32);
            case "ullong": return unsigned(val, 0, 64);
            case "short": return signed(val, 16);
            case "int": return signed(val, 32);
            case "long": return signed(val, is64 ? 64 : 32);
            case "bool": case "bint": case "bool_enable_only": case "invbool":
                return bool(val == null && !type.equals("bint") && !type.equals("invbool") ? "1" : val);
            case "charp": return val.length() > 1024 ? "ENOSPC" : null;
            default: return null;
        }
    }

    static String bool(String s) {
        if (s == null || s.isEmpty()) return "EINVAL";
        switch (s.charAt(0)) {
            case 'y': case 'Y': case 't': case 'T': case '1':
            case 'n': case 'N': case 'f': case 'F': case '0':
                return null;
            case 'o': case 'O':
                if (s.length() > 1 && "nNfF".indexOf(s.charAt(1)) >= 0) return null;
                return "EINVAL";
            default:
                return "EINVAL";
        }
    }

    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);

    /** kstrtou{bits} with '+' allowed; null, EINVAL or ERANGE. */
    static String unsigned(String s, int base, int bits) {
        if (s == null) return "EINVAL";
        if (s.startsWith("+")) s = s.substring(1);
        Object v = parse(s, base);
        if (v instanceof String err) return err;
        return ((BigInteger) v).bitLength() > bits ? "ERANGE" : null;
    }

    /** kstrtos{bits}: a leading '-' (not followed by '+'), else as unsigned; range of the signed type. */
    static String signed(String s, int bits) {
        if (s == null) return "EINVAL";
        boolean neg = s.startsWith("-");
        String body = neg ? s.substring(1) : s.startsWith("+") ? s.substring(1) : s;
        Object v = parse(body, 0);
        if (v instanceof String err) return err;
        BigInteger n = (BigInteger) v;
        // the kernel first parses into 64 bits (kstrtoll), then narrows
        BigInteger limit = BigInteger.ONE.shiftLeft(63);
        if (neg ? n.compareTo(limit) > 0 : n.compareTo(limit) >= 0) return "ERANGE";
        BigInteger bound = BigInteger.ONE.shiftLeft(bits - 1);
        if (neg ? n.compareTo(bound) > 0 : n.compareTo(bound) >= 0) return "ERANGE";
        return null;
    }

    /** _parse_integer with the radix fix-up: a BigInteger, or "EINVAL"/"ERANGE". */
    private static Object parse(String s, int base) {
        int at = 0;
        if (base == 0) {
            if (s.startsWith("0")) base = s.length() > 2 && (s.charAt(1) | 0x20) == 'x' && isHex(s.charAt(2)) ? 16 : 8;
            else base = 10;
        }
        if (base == 16 && s.length() > 1 && s.charAt(0) == '0' && (s.charAt(1) | 0x20) == 'x') at = 2;
        BigInteger v = BigInteger.ZERO;
        int start = at;
        while (at < s.length()) {
            int d = Character.digit(s.charAt(at), 16);
            if (d < 0 || d >= base || s.charAt(at) > 'f') break;
            v = v.multiply(BigInteger.valueOf(base)).add(BigInteger.valueOf(d));
            at++;
        }
        if (at == start) return "EINVAL";
        if (v.compareTo(U64) >= 0) return "ERANGE";
        if (at < s.length() && s.charAt(at) == '\n') at++;
        return at == s.length() ? v : "EINVAL";
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c <= 'f';
    }
}
