package org.modutils.insmod.arch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.modutils.insmod.cli.Insmod;

/** Runs our insmod command line in-process; stdout then stderr go to {@code out}. */
final class Run {
    private Run() {}

    static int insmod(StringBuilder out, String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = Insmod.run(argv, new PrintStream(o, true, StandardCharsets.ISO_8859_1),
                new PrintStream(e, true, StandardCharsets.ISO_8859_1), Map.of());
        out.append(o.toString(StandardCharsets.ISO_8859_1)).append(e.toString(StandardCharsets.ISO_8859_1));
        return rc;
    }
}
