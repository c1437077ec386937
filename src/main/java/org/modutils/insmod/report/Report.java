package org.modutils.insmod.report;

import java.nio.charset.StandardCharsets;

/**
 * Where the library's words go, in the kinds the original's {@code util/logger.c} knew. The
 * texts carry no program prefix and no trailing newline; the tool decides how each kind is
 * shown (stderr or stdout, syslog under -s):
 *
 * <ul>
 * <li>{@link #error}: the original's {@code error()}, shown as {@code <error_file>: <text>};</li>
 * <li>{@link #info}: the original's {@code lprintf()}, shown as it is;</li>
 * <li>{@link #warning}: text the original wrote straight to stderr (never prefixed or logged).</li>
 * </ul>
 *
 * A failure that ends the run travels as a {@link UserError}; a Report carries what the original
 * printed on the way (warnings, verbose lines, errors that only stop the run at its next check).
 */
public interface Report {
    /** Discards everything. */
    Report NONE = of(text -> {}, text -> {}, text -> {});

    /** A Report that hands each kind to its own function (a filter, a redirection, another logger). */
    static Report of(java.util.function.Consumer<String> error, java.util.function.Consumer<String> info,
                     java.util.function.Consumer<String> warning) {
        return new Relay(error, info, warning);
    }

    /** An error() line, without prefix. */
    void error(String text);

    /** An lprintf() line. */
    void info(String text);

    /** Raw stderr text (may span several lines). */
    void warning(String text);

    /** {@link #info} for a long text already in Latin-1 (the load map): its first {@code length} bytes. */
    default void info(byte[] latin1, int length) {
        info(new String(latin1, 0, length, StandardCharsets.ISO_8859_1));
    }

    /** The original's {@code error_file}: from now on errors are about this file ("insmod" before). */
    default void errorFile(String name) {}
}
