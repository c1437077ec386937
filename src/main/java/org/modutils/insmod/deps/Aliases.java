package org.modutils.insmod.deps;

/** Module alias names as libkmod compares them (depmod's indexes, modprobe, modinfo -k). */
public final class Aliases {
    private Aliases() {}

    /** libkmod's alias_normalize: '-' becomes '_' outside brackets; null for a bracket left open or stray. */
    public static String normalize(String alias) {
        StringBuilder sb = new StringBuilder(alias.length());
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '-') {
                sb.append('_');
            } else if (c == ']') {
                return null;
            } else if (c == '[') {
                int close = alias.indexOf(']', i);
                if (close < 0) return null;
                sb.append(alias, i, close + 1);
                i = close;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
