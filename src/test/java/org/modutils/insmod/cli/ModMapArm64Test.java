package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * insmod -n -m -O on arm64 modules (src/test/resources/modmap/arm64, made by
 * scripts/make-arm64-modmap-fixtures.sh): the images are written, and what the arm64 kernel
 * refuses (a value that does not fit its relocation, a branch that reaches not even its PLT, a
 * relocation type it does not know, no PLT sections, a damaged module) is one line, exit 1 and
 * no image file at all. The bytes themselves: modmap.Arm64ImageGnuLdTest.
 */
class ModMapArm64Test {
    @TempDir
    Path tmp;

    private static final String TEXT = "0xffff800001000000\n", INIT = "0xffff800001400000\n";

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ModMapArm64Test.class.getResourceAsStream("/modmap/arm64/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The kernel's symbols as the relocations tests place them, with {@code change} overriding some. */
    private Path kallsyms(Map<String, Long> change) throws IOException {
        Map<String, Long> k = new LinkedHashMap<>();
        long near = 0xffff800008000000L;
        for (String n : List.of("printk", "kfree", "kmalloc", "ext_func")) {
            k.put(n, near += 0x40);
        }
        k.put("far_away", 0xffff800040000000L);
        k.put("far_away2", 0xffff800040000100L);
        k.put("jiffies", 0xffff80000a001238L);
        k.put("ext_small", 0x1234L);
        k.put("ext_neg", -0x12345678L);
        k.putAll(change);
        StringBuilder b = new StringBuilder();
        k.forEach((n, a) -> b.append(String.format("%016x T %s%n", a, n)));
        Path p = tmp.resolve("kallsyms");
        Files.writeString(p, b);
        return p;
    }

    private String[] image(String ko, byte[] data, Map<String, Long> change, String... sections) throws IOException {
        Path m = tmp.resolve(ko);
        Files.write(m, data);
        Path d = Files.createDirectories(tmp.resolve("sections"));
        for (int i = 0; i < sections.length; i += 2) {
            Files.writeString(d.resolve(sections[i]), sections[i + 1]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"-n", "-m", "-O", tmp.resolve("img").toString(), "--sections=" + d,
            "--ksyms=" + kallsyms(change), m.toString()}, new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null"));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.ISO_8859_1),
            err.toString(StandardCharsets.ISO_8859_1)};
    }

    private String[] image(Map<String, Long> change) throws IOException {
        return image("relocs.ko", fixture("relocs.ko"), change, ".text", TEXT, ".init.text", INIT);
    }

    private void refused(String[] r, String contains) throws IOException {
        assertEquals("1", r[0], r[2]);
        assertEquals("", r[1]);
        assertTrue(r[2].startsWith("insmod: ") && r[2].indexOf('\n') == r[2].length() - 1, "one line: " + r[2]);
        assertTrue(r[2].contains(contains), r[2]);
        assertTrue(!r[2].contains("Exception"), r[2]);
        try (var l = Files.list(tmp)) {
            assertEquals(List.of(), l.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("img")).toList());
        }
    }

    @Test
    void imagesWritten() throws IOException {
        String[] r = image(Map.of());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("Sections:"), r[1]);
        assertTrue(r[1].contains("\n.plt "), r[1]);
        assertTrue(Files.size(tmp.resolve("img.core")) > 0x200 && Files.size(tmp.resolve("img.init")) > 0x60);
    }

    @Test
    void absoluteValueTooLargeForAMovw() throws IOException {
        // movz x1, #:abs_g0:ext_small, the first of its relocations: R_AARCH64_MOVW_UABS_G0 = 263
        refused(image(Map.of("ext_small", 0x12345L)), "overflow in relocation type 263 val 12345");
    }

    @Test
    void pageOutOfAdrpReach() throws IOException {
        // jiffies 8 GB away: R_AARCH64_ADR_PREL_PG_HI21 = 275
        refused(image(Map.of("jiffies", 0xffff800201000000L)), "overflow in relocation type 275");
    }

    @Test
    void placeRelative32OutOfReach() throws IOException {
        // .word ext_func - . with ext_func 5 GB away: R_AARCH64_PREL32 = 261 (its CALL26 goes through the PLT)
        refused(image(Map.of("ext_func", 0xffff800141000000L)), "overflow in relocation type 261");
    }

    @Test
    void branchThatReachesNotEvenThePlt() throws IOException {
        // .plt given 256 MB from the code: the far calls' veneers are out of reach too (CALL26 = 283)
        refused(image("relocs.ko", fixture("relocs.ko"), Map.of(), ".text", TEXT, ".init.text", INIT,
                ".plt", "0xffff800011000000\n"), "overflow in relocation type 283");
    }

    @Test
    void relocationTheKernelDoesNotKnow() throws IOException {
        // adrp x0, :got:ext_func: R_AARCH64_ADR_GOT_PAGE = 311
        refused(image("bad-got.ko", fixture("bad-got.ko"), Map.of(), ".text", TEXT, ".init.text", INIT),
                "unsupported RELA relocation: 311");
    }

    @Test
    void noPltSections() throws IOException {
        refused(image("noplt.ko", fixture("noplt.ko"), Map.of(), ".text", TEXT, ".init.text", INIT),
                "module PLT section(s) missing");
    }

    @Test
    void damagedArm64Module() throws IOException {
        byte[] ko = fixture("relocs.ko");
        for (int len : new int[] {100, 2000, ko.length - 200}) {
            refused(image("relocs.ko", Arrays.copyOf(ko, len), Map.of(), ".text", TEXT), "relocs.ko");
        }
    }
}
