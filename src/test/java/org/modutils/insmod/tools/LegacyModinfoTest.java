package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * modinfo on 2.4 objects in modutils 2.4's format. The expected texts follow modutils' modinfo.c
 * (the default query string, append_modinfo_tag quoting, show_parameter's words) applied to the
 * objects' .modinfo sections as binutils shows them ({@code objcopy -O binary
 * --only-section=.modinfo}): params.o declares parm_p_int=i (with parm_desc_p_int=an int),
 * parm_p_byte=b, parm_p_short=h, parm_p_long=l, parm_p_str=s, parm_p_chars=c16,
 * parm_p_arr=1-4i, parm_p_strs=2-3s, parm_p_harr=2h and license=GPL; hello.o declares
 * parm_foo=i, parm_desc_foo=an integer, author=oracle test, license=GPL, kernel_version=2.4.27.
 */
class LegacyModinfoTest {
    private static final Path OBJ = Path.of("testdata/oracle/i386/obj");

    private static ToolRun run(String... args) {
        return ToolRun.modinfo(OBJ.toAbsolutePath().toString(), List.of(args));
    }

    @Test
    void defaultFormat() {
        ToolRun r = run("params.o");
        assertEquals("filename:    params.o\n"
                + "description: <none>\n"
                + "author:      <none>\n"
                + "license:     \"GPL\"\n"
                + "parm:        p_harr short array (min = 2, max = 2)\n"
                + "parm:        p_strs string array (min = 2, max = 3)\n"
                + "parm:        p_arr int array (min = 1, max = 4)\n"
                + "parm:        p_chars char\n"
                + "parm:        p_str string\n"
                + "parm:        p_long long\n"
                + "parm:        p_short short\n"
                + "parm:        p_byte byte\n"
                + "parm:        p_int int, description \"an int\"\n", r.out);
        assertEquals("", r.err);
        assertEquals(0, r.status);
    }

    @Test
    void singleTagsAndParameters() {
        assertEquals("\"oracle test\"\n", run("-a", "hello.o").out);
        assertEquals("<none>\n", run("-d", "hello.o").out);
        assertEquals("\"GPL\"\n", run("-l", "hello.o").out);
        assertEquals("hello.o\n", run("-n", "hello.o").out);
        assertEquals("foo int, description \"an integer\"\n", run("-p", "hello.o").out);
        assertEquals("2.4.27\n", run("-F", "kernel_version", "hello.o").out);
    }

    @Test
    void queryStrings() {
        assertEquals("2.4.27\thello.o 100%\n", run("-f", "%{kernel_version}\\t%n 100%%\\n", "hello.o").out);
        assertEquals("[foo int, description \"an integer\"]\n", run("--format", "[%{parm}]\\n", "hello.o").out);
        assertEquals("<none>|\"oracle test\"\n", run("-f", "%{nosuch}|%a\n", "hello.o").out);
    }

    @Test
    void badQueryStringsAsModutilsSaysThem() {
        ToolRun r = run("-f", "%q\n", "hello.o");
        assertEquals("modinfo: q: unknown replacement\n", r.err);
        assertEquals(1, r.status);
        assertEquals("modinfo: missing replacement\n", run("-f", "abc%", "hello.o").err);
        assertEquals("modinfo: unterminated %{...} construct\n", run("-f", "%{abc", "hello.o").err);
        assertEquals("modinfo: %{...} construct is too large\n", run("-f", "%{" + "x".repeat(130) + "}", "hello.o").err);
    }

    @Test
    void gzippedObject(@TempDir Path dir) throws IOException {
        ModinfoTest.gzip(OBJ.resolve("hello.o"), dir.resolve("hello.o.gz"));
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("-f", "%n %{kernel_version}\n", "hello.o.gz"));
        assertEquals("hello.o.gz 2.4.27\n", r.out);
    }

    @Test
    void aDamagedObjectIsOneLine(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("junk.o"), "this is not an object".getBytes());
        ToolRun r = ToolRun.modinfo(dir.toString(), List.of("junk.o"));
        assertEquals("", r.out);
        assertEquals("junk.o is not an ELF file\n", r.err);
        assertEquals(1, r.status);
        byte[] b = Files.readAllBytes(OBJ.resolve("hello.o"));
        Files.write(dir.resolve("cut.o"), java.util.Arrays.copyOf(b, 200));
        ToolRun c = ToolRun.modinfo(dir.toString(), List.of("cut.o"));
        assertEquals(1, c.err.split("\n").length, c.err);
        assertEquals(1, c.status);
    }

    @Test
    void onA24KernelBareNamesAreSearchedAsModutilsDoes() {
        java.util.function.Function<String, java.util.Optional<Path>> search =
                n -> n.equals("hello") ? java.util.Optional.of(OBJ.resolve("hello.o")) : java.util.Optional.empty();
        ToolRun r = ToolRun.ours((o, e) -> Modinfo.run(new String[] {"-n", "hello", "nosuch"}, o, e, "/", "2.4.27", search));
        assertEquals(OBJ.resolve("hello.o") + "\n", r.out);
        assertEquals("modinfo: nosuch: no module by that name found\n", r.err);
        assertEquals(1, r.status);
    }

    @Test
    void json() {
        ToolRun r = run("--json", "hello.o");
        assertEquals("[{\"filename\":\"hello.o\",\"builtin\":false,\"format\":\"modutils-2.4\",\"fields\":["
                + "{\"key\":\"parm_desc_foo\",\"value\":\"an integer\"},{\"key\":\"parm_foo\",\"value\":\"i\"},"
                + "{\"key\":\"author\",\"value\":\"oracle test\"},{\"key\":\"license\",\"value\":\"GPL\"},"
                + "{\"key\":\"kernel_version\",\"value\":\"2.4.27\"}],"
                + "\"parameters\":[{\"name\":\"foo\",\"description\":\"an integer\",\"type\":\"i\"}],\"signature\":null}]\n", r.out);
    }
}
