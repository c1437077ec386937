package org.modutils.insmod.modern.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.cli.Insmod;

/**
 * A damaged or hostile .ko gets exactly one ERROR line (the kernel's wording for the defect, from
 * its elf_validity checks in kernel/module/main.c) and exit 1 from {@code insmod -n}, never a
 * stack trace: every truncation of the test module, and random damage to its headers.
 */
class DryRunMalformedTest {
    private static byte[] hello() throws Exception {
        try (InputStream in = DryRunMalformedTest.class.getResourceAsStream("/modern/hello.ko")) {
            return in.readAllBytes();
        }
    }

    private record Run(int rc, String out, String err) {}

    private static Run dryRun(Path file, String... extra) {
        List<String> argv = new ArrayList<>(List.of("-n", "--uname-machine=x86_64", "--sig-enforce=n"));
        for (String e : extra) if (e.startsWith("-")) argv.add(e);
        argv.add(file.toString());
        for (String e : extra) if (!e.startsWith("-")) argv.add(e);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Throwable[] caught = new Throwable[1];
        int rc = Insmod.run(argv.toArray(new String[0]), new Insmod.Host(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), org.modutils.insmod.kernel.LinuxKernel::new,
                t -> caught[0] = t));
        assertNull(caught[0], "internal error");
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long errors(String err) {
        return err.lines().filter(l -> l.startsWith("insmod: ERROR: ")).count();
    }

    @Test
    void everyTruncationIsOneKernelWordedError(@TempDir Path dir) throws Exception {
        byte[] ko = hello();
        Path f = dir.resolve("t.ko");
        for (int len = 0; len < ko.length; len += len < 128 ? 1 : 61) {
            Files.write(f, Arrays.copyOf(ko, len));
            Run r = dryRun(f);
            assertEquals(1, r.rc(), "length " + len + ": " + r.err());
            assertEquals(1, errors(r.err()), "length " + len + ": " + r.err());
            String want = len < 64 ? "Invalid ELF header len " + len
                    : "Invalid ELF section header overflow";
            assertTrue(r.err().contains(want), "length " + len + " wants '" + want + "': " + r.err());
        }
    }

    @Test
    void wrongMachineIsNamed(@TempDir Path dir) throws Exception {
        byte[] ko = hello();
        ko[18] = (byte) 183;
        ko[19] = 0;
        Path f = dir.resolve("m.ko");
        Files.write(f, ko);
        Run r = dryRun(f);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("Invalid architecture in ELF header: 183"), r.err());
    }

    @Test
    void randomHeaderDamageNeverCrashes(@TempDir Path dir) throws Exception {
        byte[] ko = hello();
        Random rnd = new Random(17);
        Path f = dir.resolve("d.ko");
        long shoff = java.nio.ByteBuffer.wrap(ko, 40, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        for (int i = 0; i < 300; i++) {
            byte[] b = ko.clone();
            for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                int at = rnd.nextBoolean() ? rnd.nextInt(64) : (int) shoff + rnd.nextInt(b.length - (int) shoff);
                b[at] = (byte) rnd.nextInt(256);
            }
            Files.write(f, b);
            Run r = dryRun(f, "count=1", "nums=1,2");
            assertTrue(r.rc() == 0 || r.rc() == 1, "exit " + r.rc());
            assertTrue(r.err().lines().allMatch(l -> l.startsWith("insmod: ")), r.err());
            if (r.rc() == 1) assertTrue(errors(r.err()) >= 1, r.err());
        }
    }

    @Test
    void theGoodModuleIsAcceptedOffline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("hello.ko");
        Files.write(f, hello());
        Run r = dryRun(f, "-v", "count=5");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("ok: param: count=5"), r.out());
        Run bad = dryRun(f, "count=five");
        assertEquals(1, bad.rc());
        assertEquals(1, errors(bad.err()), bad.err());
        assertTrue(bad.err().contains("`five' invalid for parameter `count'"), bad.err());
        Run unknown = dryRun(f, "nosuch=1");
        assertEquals(0, unknown.rc(), unknown.err());
        assertTrue(unknown.err().contains("unknown parameter 'nosuch'"), unknown.err());
    }

    @Test
    void compressedModulesAreCheckedAndDamagedOnesNamed(@TempDir Path dir) throws Exception {
        for (String z : new String[] {"xz", "zst", "gz"}) {
            byte[] data;
            try (InputStream in = getClass().getResourceAsStream("/modern/hello.ko." + z)) {
                data = in.readAllBytes();
            }
            Path f = dir.resolve("hello.ko." + z);
            Files.write(f, data);
            Run ok = dryRun(f, "count=7");
            assertEquals(0, ok.rc(), z + ": " + ok.err());
            Files.write(f, Arrays.copyOf(data, data.length / 2));
            Run bad = dryRun(f);
            assertEquals(1, bad.rc(), z);
            assertEquals(1, errors(bad.err()), bad.err());
            assertTrue(bad.err().contains("corrupt "), bad.err());
        }
    }
}
