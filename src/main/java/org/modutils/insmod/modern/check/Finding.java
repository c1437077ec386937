package org.modutils.insmod.modern.check;

/**
 * One result of a dry run: a check that passed, a warning (the kernel loads the module but says
 * something, e.g. taints), an error (the kernel would refuse), or a note (something could not be
 * checked, and why).
 *
 * @param severity what it means for the verdict
 * @param check    short name of the check ("elf", "vermagic", "symbol", "param", "signature", ...)
 * @param text     one line: the cause and, for errors and warnings, the fix
 */
public record Finding(Severity severity, String check, String text) {

    /** Names from the module (symbols, parameters, .modinfo) may hold control characters: shown escaped. */
    public Finding {
        text = printable(text);
    }

    /** {@code s} with control characters as {@code \xNN}, so that it stays one line. */
    public static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f) {
                if (b != null) b.append(c);
                continue;
            }
            if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
            b.append(String.format("\\x%02x", (int) c));
        }
        return b == null ? s : b.toString();
    }

    /** ERROR makes the verdict "refused"; the others do not. */
    public enum Severity { PASS, NOTE, WARNING, ERROR }

    static Finding pass(String check, String text) {
        return new Finding(Severity.PASS, check, text);
    }

    static Finding note(String check, String text) {
        return new Finding(Severity.NOTE, check, text);
    }

    static Finding warning(String check, String text) {
        return new Finding(Severity.WARNING, check, text);
    }

    static Finding error(String check, String text) {
        return new Finding(Severity.ERROR, check, text);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
