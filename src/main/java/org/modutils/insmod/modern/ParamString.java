package org.modutils.insmod.modern;

import java.util.List;

/**
 * Joins {@code name=value} arguments into the one string init_module/finit_module take. The
 * kernel splits it at blanks outside double quotes and drops the quotes, so a value with a
 * blank is sent as {@code name="value with blanks"} (the user's own quoting is kept).
 */
public final class ParamString {
    private ParamString() {}

    /** Thrown for an argument the kernel's parser cannot receive intact. */
    public static final class BadParameterException extends Exception {
        public BadParameterException(String message) {
            super(message, null, false, false);
        }
    }

    public static String join(List<String> args) throws BadParameterException {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (a.isEmpty()) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(quote(a));
        }
        return sb.toString();
    }

    static String quote(String arg) throws BadParameterException {
        boolean blank = false;
        for (int i = 0; i < arg.length(); i++) if (Character.isWhitespace(arg.charAt(i))) blank = true;
        if (!blank) return arg;
        int eq = arg.indexOf('=');
        String name = eq < 0 ? "" : arg.substring(0, eq + 1);
        String value = eq < 0 ? arg : arg.substring(eq + 1);
        if (value.startsWith("\"")) return arg; // already quoted by the user (the kernel knows only '"')
        if (value.indexOf('"') >= 0)
            throw new BadParameterException("parameter '" + arg + "': a value with both blanks and a double quote"
                    + " cannot be passed (the kernel has no escape for '\"')");
        if (name.chars().anyMatch(Character::isWhitespace))
            throw new BadParameterException("parameter '" + arg + "': blank in the parameter name");
        return name + '"' + value + '"';
    }
}
