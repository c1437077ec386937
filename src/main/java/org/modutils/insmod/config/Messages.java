package org.modutils.insmod.config;

import java.util.function.Consumer;

/**
 * Where the module search and the config reader send their messages. The texts carry no
 * program prefix; the command line decides how each kind is shown, as the original's
 * {@code util/logger.c} does:
 *
 * <ul>
 * <li>{@link #error}: the original's {@code error()}. Shown as {@code <error_file>: <text>}
 *     on stderr ({@code error_file} is "insmod" while the module is being located), or sent
 *     at LOG_ERR under {@code -s}. Every call counts toward the original's {@code errors}
 *     counter: a run that saw any error stops with exit status 1 before it touches the kernel,
 *     even when a module file was found after all.</li>
 * <li>{@link #info}: the original's {@code lprintf()}, e.g. {@code Using <path>}. Shown on
 *     stdout, or sent at LOG_INFO under {@code -s}.</li>
 * <li>{@link #warning}: text the original writes straight to stderr with {@code fprintf} or
 *     {@code perror}: the multi-line {@code /etc/conf.modules} deprecation warnings and
 *     "dir: reason" when a directory cannot be read. Printed as is (plus a newline), without
 *     a prefix, also under {@code -s}, and not counted as an error.</li>
 * </ul>
 *
 * It is the library's {@link org.modutils.insmod.report.Report} under the name the module search
 * has always used.
 */
public interface Messages extends org.modutils.insmod.report.Report {
    /** An error() message, without prefix or trailing newline. */
    @Override
    void error(String text);

    /** An lprintf() message, without trailing newline. */
    @Override
    void info(String text);

    /** Raw stderr text (may span several lines), without trailing newline. */
    @Override
    void warning(String text);

    /** Discards everything. */
    Messages NONE = of(text -> {}, text -> {}, text -> {});

    /** Messages that hand each kind to its own function (a filter, a redirection, another logger). */
    static Messages of(Consumer<String> error, Consumer<String> info, Consumer<String> warning) {
        return new RelayMessages(error, info, warning);
    }
}
