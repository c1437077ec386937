package org.modutils.insmod.deps;

import java.io.IOException;

import org.modutils.insmod.sys.IoReasons;

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
