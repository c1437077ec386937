package org.modutils.insmod.deps;

import java.io.IOException;
import java.util.function.Consumer;

import org.modutils.insmod.sys.IoReasons;
import org.modutils.insmod.sys.Syslog;

/**
 * Where the library reports, at kmod's levels; the tool decides what is shown (kmod shows
 * warnings and worse unless -v) and how ("depmod: WARNING: ..."). Texts carry no prefix and
 * no trailing newline.
 */
public interface DepmodLog {
    void error(String text);

    void warning(String text);

    void info(String text);

    /** depmod -v's progress lines ("X needs "sym": Y"), for stdout. */
    void show(String text);

    /** strerror-style wording of an I/O failure. */
    static String reason(IOException e) {
        return IoReasons.of(e);
    }

    /** A tool's log at a syslog priority. */
    @FunctionalInterface
    interface AtPriority {
        void log(int prio, String text);
    }

    /** error, warning and info to {@code log} at LOG_ERR, LOG_WARNING and LOG_INFO; show to {@code show}. */
    static DepmodLog of(AtPriority log, Consumer<String> show) {
        return new DepmodLog() {
            @Override
            public void error(String text) {
                log.log(Syslog.LOG_ERR, text);
            }

            @Override
            public void warning(String text) {
                log.log(Syslog.LOG_WARNING, text);
            }

            @Override
            public void info(String text) {
                log.log(Syslog.LOG_INFO, text);
            }

            @Override
            public void show(String text) {
                show.accept(text);
            }
        };
    }

    /** Discards everything. */
    DepmodLog NONE = new DepmodLog() {
        @Override
        public void error(String text) {}

        @Override
        public void warning(String text) {}

        @Override
        public void info(String text) {}

        @Override
        public void show(String text) {}
    };
}
