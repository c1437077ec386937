package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INSMOD_MAX_IMAGE bounds the image, and the object read (16 times the image limit, after
 * decompression). Errors before the object is open are prefixed "insmod:" as the original's are
 * (its missing-file case: "insmod: PATH: No such file or directory").
 */
class ImageLimitTest {
    @TempDir
    Path tmp;

    String[] run(String limit) {
        Path blob = tmp.resolve("blob.bin");
        try {
            Files.deleteIfExists(blob);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27", "-n",
                "-O", blob.toString(), "testdata/oracle/i386/obj/hello.o"}, new PrintStream(out, true),
                new PrintStream(err, true), Map.of("MODULECONFIG", "/dev/null", "INSMOD_MAX_IMAGE", limit));
        return new String[] {Integer.toString(rc), err.toString(StandardCharsets.ISO_8859_1),
                Boolean.toString(Files.exists(blob)), blob.toString()};
    }

    long imageSize() throws Exception {
        String[] r = run("64M");
        assertEquals("0", r[0], r[1]);
        return Files.size(Path.of(r[3]));
    }

    @Test
    void anImageOneByteOverTheLimitIsRefusedAndOneAtTheLimitIsNot() throws Exception {
        long size = imageSize();
        String[] over = run(Long.toString(size - 1));
        assertEquals("1", over[0]);
        assertEquals("testdata/oracle/i386/obj/hello.o: image of " + size + " bytes exceeds the limit of "
                + (size - 1) + "\n", over[1]);
        assertEquals("false", over[2]);
        String[] at = run(Long.toString(size));
        assertEquals("0", at[0], at[1]);
        assertEquals("true", at[2]);
    }

    @Test
    void aLimitBelowTheSectionsIsRefusedBeforeLayout() {
        String[] r = run("120"); // the object (1.7K) is within 16 × 120, its 158 bytes of sections are not
        assertEquals("1", r[0]);
        assertTrue(r[1].startsWith("testdata/oracle/i386/obj/hello.o: image of at least "), r[1]);
        assertTrue(r[1].endsWith(" bytes exceeds the limit of 120\n"), r[1]);
        assertFalse(Boolean.parseBoolean(r[2]));
    }

    @Test
    void aBadSettingIsOneLine() {
        String[] r = run("lots");
        assertEquals("1", r[0]);
        assertEquals("insmod: INSMOD_MAX_IMAGE 'lots' is not a size\n", r[1]);
        String[] big = run("2G");
        assertEquals("insmod: INSMOD_MAX_IMAGE '2G' must be between 1 and 1073741824 bytes\n",
                big[1]);
    }

    String[] runObject(Path obj, String limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/ksyms32.txt", "--uname-release=2.4.27", "-n",
                obj.toString()}, new PrintStream(out, true), new PrintStream(err, true),
                Map.of("MODULECONFIG", "/dev/null", "INSMOD_MAX_IMAGE", limit));
        return new String[] {Integer.toString(rc), err.toString(StandardCharsets.ISO_8859_1)};
    }

    @Test
    void aGzipBombStopsAtSixteenTimesTheImageLimit() throws Exception {
        Path bomb = tmp.resolve("bomb.o.gz");
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(bomb))) {
            gz.write(new byte[16 * 1024 + 1]); // inflates to one byte more than 16 × 1K
        }
        assertTrue(Files.size(bomb) < 1024);
        String[] r = runObject(bomb, "1K");
        assertEquals("1", r[0]);
        assertEquals("insmod: " + bomb + ": object of more than 16384 bytes (16 times the image limit)\n", r[1]);
        // Exactly 16 × the limit is read (and then refused as what it is: not an ELF file).
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(bomb))) {
            gz.write(new byte[16 * 1024]);
        }
        assertEquals(bomb + ": " + bomb + " is not an ELF file\n", runObject(bomb, "1K")[1]);
    }

    @Test
    void anEndlessFileStopsToo() {
        String[] r = runObject(Path.of("/dev/zero"), "1K");
        assertEquals("1", r[0]);
        assertEquals("insmod: /dev/zero: object of more than 16384 bytes (16 times the image limit)\n", r[1]);
    }
}
