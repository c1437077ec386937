package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * modinfo on the bundled 2.6+ fixtures, against kmod's modinfo output recorded in
 * src/test/resources/tools (README there), so it runs without kmod; --verify with the
 * certificate that signed hello-signed.ko and with another; --json.
 */
class ModinfoTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = ModinfoTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return in.readAllBytes();
        }
    }

    static Path fixture(String name, Path dir) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, resource("/modern/" + name));
        return p;
    }

    private static String recorded(String name, Path dir) throws IOException {
        return new String(resource("/tools/" + name), StandardCharsets.ISO_8859_1).replace("@DIR@", dir.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello-signed.ko", "hello.ko", "undef.ko"})
    void sameAsKmodsRecordedOutput(String name, @TempDir Path dir) throws IOException {
        fixture(name, dir);
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of(name));
        assertEquals(recorded(name + ".kmod", dir), r.out);
        assertEquals("", r.err);
        assertEquals(0, r.status);
    }

    @Test
    void nulSeparatedAsKmod(@TempDir Path dir) throws IOException {
        fixture("hello-signed.ko", dir);
        assertEquals(recorded("hello-signed.ko.kmod0", dir), ToolRun.modinfo(dir.toString(), List.of("-0", "hello-signed.ko")).out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello.ko.xz", "hello.ko.zst", "hello.ko.gz"})
    void compressedModulesShowTheirContents(String name, @TempDir Path dir) throws IOException {
        fixture(name, dir);
        String want = recorded("hello.ko.kmod", dir).replace("hello.ko\n", name + "\n");
        assertEquals(want, ToolRun.modinfo(dir.toString(), List.of(name)).out);
    }

    @Test
    void singleFieldsAsKmodPrintsThem(@TempDir Path dir) throws IOException {
        fixture("hello-signed.ko", dir);
        String full = recorded("hello-signed.ko.kmod", dir);
        assertEquals("insmod test signing key\n", ToolRun.modinfo(dir.toString(), List.of("-F", "signer", "hello-signed.ko")).out);
        assertEquals("sha256\n", ToolRun.modinfo(dir.toString(), List.of("-F", "sig_hashalgo", "hello-signed.ko")).out);
        assertEquals(dir + "/hello-signed.ko\n", ToolRun.modinfo(dir.toString(), List.of("-n", "hello-signed.ko")).out);
        String parms = full.substring(full.indexOf("parm:")).replace("parm:           ", "");
        assertEquals(parms, ToolRun.modinfo(dir.toString(), List.of("-p", "hello-signed.ko")).out);
        assertEquals("", ToolRun.modinfo(dir.toString(), List.of("-F", "nosuch", "hello-signed.ko")).out);
    }

    @Test
    void verifyWithTheSigningCertificate(@TempDir Path dir) throws IOException {
        fixture("hello-signed.ko", dir);
        Path cert = fixture("signing-cert.der", dir);
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("--verify=" + cert, "-F", "verify", "hello-signed.ko"));
        assertTrue(r.out.startsWith("ok: signature by 'insmod test signing key'"), r.out);
        assertEquals(0, r.status);
        ToolRun full = ToolRun.modinfo(dir.toString(), List.of("--verify=" + cert, "hello-signed.ko"));
        assertTrue(full.out.contains("\nverify:         ok: "), full.out);
    }

    @Test
    void verifyRefusesAnotherKeyAndAnUnsignedModule(@TempDir Path dir) throws IOException {
        fixture("hello-signed.ko", dir);
        fixture("hello.ko", dir);
        Path other = fixture("other-cert.pem", dir);
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("--verify=" + other, "-F", "verify", "hello-signed.ko"));
        assertTrue(r.out.startsWith("FAILED: unknown key"), r.out);
        assertEquals(1, r.status);
        ToolRun u = ToolRun.modinfo(dir.toString(), List.of("--verify=" + other, "-F", "verify", "hello.ko"));
        assertEquals("FAILED: the module is unsigned\n", u.out);
        assertEquals(1, u.status);
    }

    @Test
    void verifyFindsAChangedModule(@TempDir Path dir) throws IOException {
        byte[] b = resource("/modern/hello-signed.ko");
        b[200] ^= 1;
        Files.write(dir.resolve("changed.ko"), b);
        Path cert = fixture("signing-cert.der", dir);
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("--verify=" + cert, "-F", "verify", "changed.ko"));
        assertTrue(r.out.startsWith("FAILED: bad digest"), r.out);
        assertEquals(1, r.status);
    }

    @Test
    void jsonHasTheFieldsParametersAndSignature(@TempDir Path dir) throws IOException {
        fixture("hello-signed.ko", dir);
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("--json", "hello-signed.ko", "missing.ko"));
        String j = r.out;
        assertTrue(j.startsWith("[{\"filename\":\"" + dir + "/hello-signed.ko\",\"name\":\"hello_signed\",\"builtin\":false,"
                + "\"format\":\"kmod\",\"fields\":[{\"key\":\"version\",\"value\":\"1.0\"},"), j);
        assertTrue(j.contains("{\"name\":\"count\",\"description\":\"an int parameter (default 1)\",\"type\":\"int\"}"), j);
        assertTrue(j.contains("\"signature\":{\"id\":\"PKCS#7\",\"signer\":\"insmod test signing key\","
                + "\"key\":\"5B:6F:D1:AE:17:71:8B:3C:F5:01:EA:0C:AB:BE:84:24:A1:F1:5C:B6\",\"hash\":\"sha256\",\"signature\":\"8A:43:"), j);
        assertTrue(j.endsWith(",{\"argument\":\"missing.ko\",\"error\":\"Module missing.ko not found.\"}]\n"), j);
        assertEquals("modinfo: ERROR: Module missing.ko not found.\n", r.err);
        assertEquals(1, r.status);
    }

    @Test
    void manyFilesInOneRunKeepGoingAfterABadOne(@TempDir Path dir) throws IOException {
        fixture("hello.ko", dir);
        Files.write(dir.resolve("bad.ko"), "garbage".getBytes());
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("-F", "name", "bad.ko", "hello.ko"));
        assertEquals("hello\n", r.out);
        assertEquals("modinfo: ERROR: could not get modinfo from 'bad': Exec format error\n", r.err);
        assertEquals(1, r.status);
    }

    static void gzip(Path src, Path dst) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dst))) {
            o.write(Files.readAllBytes(src));
        }
    }
}
