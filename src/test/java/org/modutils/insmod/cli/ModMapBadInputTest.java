package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * insmod -n -m FILE.ko --sections=DIR on bad input: a damaged module, a sections directory with
 * junk, one of another module, none at all. Each gets one line on stderr, nothing on stdout,
 * exit 1.
 */
class ModMapBadInputTest {
    @TempDir
    Path tmp;

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ModMapBadInputTest.class.getResourceAsStream("/modern/" + name)) {
            return in.readAllBytes();
        }
    }

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(args, new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null"));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.ISO_8859_1),
            err.toString(StandardCharsets.ISO_8859_1)};
    }

    private void assertOneLine(String[] r, String contains) {
        assertEquals("1", r[0], r[2]);
        assertEquals("", r[1]);
        assertTrue(r[2].startsWith("insmod: ") && r[2].endsWith("\n") && r[2].indexOf('\n') == r[2].length() - 1,
                "one line: " + r[2]);
        assertTrue(r[2].contains(contains), r[2]);
        assertTrue(!r[2].contains("Exception") && !r[2].contains("internal error"), r[2]);
    }

    private Path sections(String... nameValue) throws IOException {
        Path d = Files.createDirectory(tmp.resolve("sections"));
        for (int i = 0; i < nameValue.length; i += 2) {
            Files.writeString(d.resolve(nameValue[i]), nameValue[i + 1]);
        }
        return d;
    }

    private Path module(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    @Test
    void goodInputMapsWithExitZero() throws IOException {
        Path ko = module("hello.ko", fixture("hello.ko"));
        Path d = sections(".init.text", "0xffffffffc0219000\n", ".exit.text", "0xffffffffc058b000\n");
        String[] r = run("-n", "-m", ko.toString(), "--sections=" + d);
        assertEquals("0", r[0], r[2]);
        assertEquals("", r[2]);
        assertTrue(r[1].startsWith("Sections:"), r[1]);
    }

    @Test
    void truncatedModule() throws IOException {
        byte[] ko = fixture("hello.ko");
        Path p = module("hello.ko", Arrays.copyOf(ko, 3000));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".text", "0x1000\n")), "hello.ko");
    }

    @Test
    void truncatedModuleWithoutSectionsIsNoModernModuleAndGoesToThe24Path() throws IOException {
        // Without --sections a file we cannot read as a 2.6+ module is not mapped: the 2.4 path
        // judges it and says so in one line.
        Path p = module("hello.ko", Arrays.copyOf(fixture("hello.ko"), 3000));
        String[] r = run("-n", "-m", p.toString());
        assertEquals("1", r[0]);
        assertEquals(1, r[2].split("\n").length, r[2]);
    }

    @Test
    void damagedCompressedModule() throws IOException {
        byte[] xz = fixture("hello.ko.xz");
        Path p = module("hello.ko.xz", Arrays.copyOf(xz, xz.length / 2));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".text", "0x1000\n")), "hello.ko.xz");
    }

    @Test
    void notAnElfFile() throws IOException {
        Path p = module("junk.ko", "this is no module\n".getBytes(StandardCharsets.US_ASCII));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".text", "0x1000\n")), "junk.ko");
    }

    @Test
    void junkInASectionFile() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".init.text", "hello\n")),
                ".init.text: not a section address");
    }

    @Test
    void sectionFileTooLong() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".init.text", "0x" + "1".repeat(17))),
                "not a section address");
    }

    @Test
    void subdirectoryInTheSectionsDirectory() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        Path d = sections(".init.text", "0x1000\n");
        Files.createDirectory(d.resolve(".data"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + d), ".data: not a section address file");
    }

    @Test
    void sectionTheModuleDoesNotHave() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".text.nosuch", "0x1000\n")),
                "has no section .text.nosuch");
    }

    @Test
    void emptySectionsDirectory() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections()), "no section addresses");
    }

    @Test
    void missingSectionsDirectory() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + tmp.resolve("nosuch")), "nosuch");
    }

    @Test
    void sectionsWithoutDryRun() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        assertOneLine(run("-m", p.toString(), "--sections=" + sections(".init.text", "0x1000\n")), "needs -n and -m");
    }

    @Test
    void imageWithoutKernelSymbols() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        Path d = sections(".init.text", "0xffffffffc0219000\n");
        assertOneLine(run("-n", "-m", "-O", tmp.resolve("img").toString(), "--sections=" + d, p.toString()),
                "--ksyms=FILE");
        assertFalse(Files.exists(tmp.resolve("img.core")));
    }

    @Test
    void imageWithJunkKernelSymbols() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        Path d = sections(".init.text", "0xffffffffc0219000\n");
        Path ks = tmp.resolve("kallsyms");
        Files.writeString(ks, "ffffffff81000000 T printk\nthis is no symbol line\n");
        assertOneLine(run("-n", "-m", "-O", tmp.resolve("img").toString(), "--sections=" + d, "--ksyms=" + ks,
                p.toString()), "kallsyms:2: not a /proc/kallsyms line");
        assertFalse(Files.exists(tmp.resolve("img.core")));
    }

    @Test
    void imageWithAnUnresolvedSymbolWritesNothing() throws IOException {
        Path p = module("hello.ko", fixture("hello.ko"));
        Path d = sections(".init.text", "0xffffffffc0219000\n");
        Path ks = tmp.resolve("kallsyms");
        Files.writeString(ks, "ffffffff81000000 T some_other_symbol\n");
        assertOneLine(run("-n", "-m", "-O", tmp.resolve("img").toString(), "--sections=" + d, "--ksyms=" + ks,
                p.toString()), "Unknown symbol");
        try (var l = Files.list(tmp)) {
            assertEquals(0, l.filter(f -> f.getFileName().toString().startsWith("img")).count());
        }
    }

    @Test
    void mapWithJunkKallsymsLines() throws IOException {
        // --ksyms with a map (no -O): the module's kallsyms lines, for the per-cpu base
        Path p = module("hello.ko", fixture("hello.ko"));
        Path ks = tmp.resolve("hello.kallsyms");
        Files.writeString(ks, "ffffffffc058d3c0 b nums_count\t[hello]\nffffffffc058d3c8 b junk\t[hello] more\n");
        assertOneLine(run("-n", "-m", p.toString(), "--sections=" + sections(".init.text", "0xffffffffc0219000\n"),
                "--ksyms=" + ks), "hello.kallsyms:2: not a /proc/kallsyms line");
    }

    @Test
    void helpAllNamesSections() {
        String[] r = run("--help-all");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("--sections"), r[1]);
    }
}
