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
        assertTrue(e.startsWith("insmod: testdata/oracle/i386/obj/hello.o is a Linux 2.0-2.4 object, which this kernel (")
                && e.contains("--ksyms=FILE")
                && e.contains("--uname-release=R"), e);
        assertEquals(1, e.split("\n").length, e);
    }

    /** Issue 17: -n on a .ko on a modern host is a dry run, never the advice to pass --ksyms. */
    @Test
    void dryRunOfAKoNeverAsksForKsyms() throws Exception {
        assumeFalse(Files.exists(Paths.get("/proc/ksyms")), "this host is a 2.4 kernel");
        java.nio.file.Path dir = Files.createTempDirectory("hint");
        try {
            java.nio.file.Path ko = dir.resolve("hello.ko");
            try (java.io.InputStream in = getClass().getResourceAsStream("/modern/hello.ko")) {
                Files.write(ko, in.readAllBytes());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = Insmod.run(new String[] {"-n", ko.toString()}, new PrintStream(out, true),
                    new PrintStream(err, true), Map.of("MODULECONFIG", "/dev/null"));
            String e = err.toString(StandardCharsets.ISO_8859_1);
            assertTrue(rc == 0 || rc == 1, e);
            assertTrue(!e.contains("--ksyms") && !e.contains("2.1-2.4 kernel"), e);
            ByteArrayOutputStream err2 = new ByteArrayOutputStream();
            rc = Insmod.run(new String[] {"-n", "--ksyms=testdata/oracle/ksyms/ksyms64.txt", ko.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err2, true),
                    Map.of("MODULECONFIG", "/dev/null"));
            String e2 = err2.toString(StandardCharsets.ISO_8859_1);
            assertEquals(1, rc);
            assertTrue(e2.contains("is a Linux 2.6+ module (.ko)") && !e2.contains("2.1-2.4 kernel"), e2);
        } finally {
            try (var s = Files.list(dir)) {
                for (java.nio.file.Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
