package org.modutils.insmod.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.modutils.insmod.kernel.KernelSymbols;

/** Taint, forced loads, -N and the GPL-compatible license list, on real (recorded) loads. */
class SemanticsTest {
    static final KernelSymbols SYMS;

    static {
        try {
            SYMS = LegacyLoadTest.table("ksyms32.txt");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static LoadRequest req(String obj, byte[] image, boolean noload, boolean force, boolean numeric, String release)
            throws Exception {
        Path p = Paths.get("testdata/oracle/i386/obj/" + obj);
        return LegacyLoadTest.builder(p, image != null ? image : Files.readAllBytes(p), "m").noload(noload)
                .option(LoadRequest.Option.FORCE, force).option(LoadRequest.Option.NUMERIC_VERSION, numeric)
                .kernel(release, "#1 Sat Jan 1 00:00:00 UTC 2005").build();
    }

    static LegacyLoadTest.RecordingKernel kernel() {
        return new LegacyLoadTest.RecordingKernel(SYMS, 0xd0900000L, 0);
    }

    @Test
    void proprietaryModuleTaintsARealKernelButNotADryRun() throws Exception {
        LegacyLoadTest.RecordingKernel k = kernel();
        LegacyLoadTest.Capture c = new LegacyLoadTest.Capture();
        assertEquals(0, Loads.run(req("proprietary.o", null, false, false, false, "2.4.27"), c, k, SYMS).status());
        assertTrue(k.calls.contains("tainted 1"), k.calls.toString());
        assertTrue(c.out.toString().endsWith("Module m loaded, with warnings\n"), c.out.toString());

        LegacyLoadTest.RecordingKernel dry = kernel();
        LegacyLoadTest.Capture c2 = new LegacyLoadTest.Capture();
        assertEquals(0, Loads.run(req("proprietary.o", null, true, false, false, "2.4.27"), c2, dry, SYMS).status());
        assertTrue(dry.calls.isEmpty(), dry.calls.toString());
        assertTrue(c2.out.toString().startsWith("Warning: loading "), c2.out.toString());
        assertFalse(c2.out.toString().contains("loaded, with warnings"));
    }

    @Test
    void forcedLoadOfAnOldModuleOrsTheForcedBit() throws Exception {
        LegacyLoadTest.RecordingKernel k = kernel();
        k.taint = 4;
        LegacyLoadTest.Capture c = new LegacyLoadTest.Capture();
        assertEquals(0, Loads.run(req("oldver.o", null, false, true, false, "2.4.27"), c, k, SYMS).status());
        assertTrue(k.calls.contains("tainted 6"), k.calls.toString());
        assertTrue(c.out.toString().startsWith("Warning: kernel-module version mismatch\n"), c.out.toString());
    }

    @Test
    void numericOnlyComparesTheReleaseNumbers() throws Exception {
        LegacyLoadTest.Capture strict = new LegacyLoadTest.Capture();
        assertEquals(1, Loads.run(req("oldver.o", null, true, false, false, "2.4.20-8custom"), strict, kernel(),
                SYMS).status());
        assertTrue(strict.err.toString().contains("kernel-module version mismatch"), strict.err.toString());
        LegacyLoadTest.Capture numeric = new LegacyLoadTest.Capture();
        assertEquals(0, Loads.run(req("oldver.o", null, true, false, true, "2.4.20-8custom"), numeric, kernel(),
                SYMS).status(), numeric.err.toString());
        LegacyLoadTest.Capture other = new LegacyLoadTest.Capture();
        assertEquals(1, Loads.run(req("oldver.o", null, true, false, true, "2.4.21"), other, kernel(), SYMS)
                .status());
    }

    @Test
    void gplV2IsGplCompatible() throws Exception {
        byte[] b = Files.readAllBytes(Paths.get("testdata/oracle/i386/obj/proprietary.o"));
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("license=Proprietary");
        assertTrue(at > 0);
        byte[] repl = "license=GPL v2\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(repl, 0, b, at, repl.length);
        LegacyLoadTest.Capture c = new LegacyLoadTest.Capture();
        LegacyLoadTest.RecordingKernel k = kernel();
        assertEquals(0, Loads.run(req("proprietary.o", b, false, false, false, "2.4.27"), c, k, SYMS).status());
        assertEquals("", c.out.toString());
        assertFalse(k.calls.stream().anyMatch(x -> x.startsWith("tainted")), k.calls.toString());
    }
}
