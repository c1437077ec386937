package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** On a modern host (no /proc/ksyms), -n without --ksyms says what to pass instead of failing vaguely. */
class OfflineHintTest {
    @Test
    void dryRunOnAModernKernelAsksForASymbolTable() {
        assumeFalse(Files.exists(Paths.get("/proc/ksyms")), "this host is a 2.4 kernel");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"-n", "-m", "testdata/oracle/i386/obj/hello.o"}, new PrintStream(out, true),
                new PrintStream(err, true), Map.of("MODULECONFIG", "/dev/null"));
        String e = err.toString(StandardCharsets.ISO_8859_1);
        assertEquals(1, rc);
        assertEquals("", out.toString(StandardCharsets.ISO_8859_1));
        assertTrue(e.startsWith("insmod: this kernel (") && e.contains("pass --ksyms=FILE")
                && e.contains("--uname-release=R"), e);
        assertEquals(1, e.split("\n").length, e);
    }
}
