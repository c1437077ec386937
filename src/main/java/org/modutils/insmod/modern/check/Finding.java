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
