package org.modutils.insmod.modinfo;

import org.modutils.insmod.link.ObjFile;

/**
 * modutils' show_parameter: a MODULE_PARM type string ({@code [min[-max]]type[modifier]}, type
 * one of {@code b h i l s cN}, modifier {@code p} for persistent) in words, with the array
 * bounds and the parameter's description.
 */
final class ParamText {
    private ParamText() {}

    static void append(StringBuilder out, ObjFile f, String key, String value, String desc) {
        if (key == null) return; // %p outside a parameter line prints nothing
        if (f.findSymbol(key) == null) out.append("warning: symbol for parameter ").append(key).append(" not found\n");
        int p = 0;
        int min, max;
        if (p < value.length() && Character.isDigit(value.charAt(p))) {
            int[] at = {p};
            min = (int) strtoul(value, at);
            p = at[0];
            if (p < value.length() && value.charAt(p) == '-') {
                at[0] = p + 1;
                max = (int) strtoul(value, at);
                p = at[0];
            } else {
                max = min;
            }
        } else {
            min = max = 1;
        }
        if (max < min) out.append("warning: parameter ").append(key).append(" has max < min!\n");
        out.append(key).append(' ');
        char t = p < value.length() ? value.charAt(p) : '\0';
        switch (t) {
            case 'c':
                out.append("char");
                if (p + 1 >= value.length() || !Character.isDigit(value.charAt(p + 1))) out.append(" *** missing string size ***");
                else while (p + 1 < value.length() && Character.isDigit(value.charAt(p + 1))) ++p;
                break;
            case 'b': out.append("byte"); break;
            case 'h': out.append("short"); break;
            case 'i': out.append("int"); break;
            case 'l': out.append("long"); break;
            case 's': out.append("string"); break;
            case '\0':
                out.append("no format character!\n");
                return;
            default:
                out.append("unknown format character '").append(t).append('\'');
                return;
        }
        char m = ++p < value.length() ? value.charAt(p) : '\0';
        if (m == 'p') {
            out.append(" persistent");
            if (value.charAt(p - 1) == 's') out.append(" (invalid)");
        } else if (m != '\0') {
            out.append(" unknown format modifier '").append(m).append('\'');
        }
        if (min > 1 || max > 1) out.append(" array (min = ").append(min).append(", max = ").append(max).append(')');
        if (desc != null && !desc.isEmpty()) out.append(", description \"").append(desc.replace("\n", "\n  ")).append('"');
    }

    /** strtoul base 10 from at[0] (digits only, as here after isdigit), saturating at ULONG_MAX. */
    private static long strtoul(String s, int[] at) {
        long v = 0;
        boolean over = false;
        int i = at[0];
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            long nv = v * 10 + (s.charAt(i) - '0');
            if (Long.compareUnsigned(nv, v) < 0 || Long.divideUnsigned(nv - (s.charAt(i) - '0'), 10) != v) over = true;
            v = nv;
            i++;
        }
        at[0] = i;
        return over ? -1L : v;
    }
}
