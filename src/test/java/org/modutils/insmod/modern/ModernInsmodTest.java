package org.modutils.insmod.modern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.RecordingKernel;
import org.modutils.insmod.tools.ToolLog;

class ModernInsmodTest {
    @TempDir
    Path dir;
    RecordingKernel k;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeEach
    void kernel() {
        k = new RecordingKernel();
        k.legacy = false;
        k.release = "6.1.0-56-amd64";
        k.machine = "x86_64";
    }

    private int run(String module, List<String> params, boolean force, boolean verbose, List<String> certs,
                    ModernRequest.Syscall how, byte[] stdin) {
        ToolLog m = new ToolLog("insmod", new PrintStream(stdout, true), new PrintStream(stderr, true));
        return ModernInsmod.run(new ModernRequest(module, params, force, verbose, certs, how, k,
                new ByteArrayInputStream(stdin == null ? new byte[0] : stdin)), m);
    }

    private int run(String module, String... params) {
        return run(module, List.of(params), false, false, List.of(), ModernRequest.Syscall.AUTO, null);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private String file(String fixture) throws Exception {
        return Fixtures.copy(fixture, dir).toString();
    }

    // ---- which system call ------------------------------------------------------------------

    @Test
    void plainKoGoesToFinitWithTheQuotedParameters() throws Exception {
        String f = file("hello.ko");
        assertEquals(0, run(f, "count=3", "name=two words"));
        assertEquals(List.of("finitModule"), k.methods());
        assertEquals(List.of(f, "count=3 name=\"two words\"", 0), k.calls.get(0).args());
        assertEquals("", err());
    }

    @Test
    void forceSetsBothIgnoreFlagsAndReportsTheTaint() throws Exception {
        k.tainted = 2;
        assertEquals(0, run(file("hello.ko"), List.of(), true, false, List.of(), ModernRequest.Syscall.AUTO, null));
        assertEquals(Kernel.MODULE_INIT_IGNORE_MODVERSIONS | Kernel.MODULE_INIT_IGNORE_VERMAGIC, k.calls.get(0).arg(2));
        assertTrue(err().contains("warning: -f: the kernel accepted module hello") && err().contains("(F: forced module load)"), err());
    }

    @Test
    void compressedLikeTheKernelGoesToFinitWithCompressedFile() throws Exception {
        k.files.put("/sys/module/compression", "xz\n".getBytes(StandardCharsets.US_ASCII));
        String f = file("hello.ko.xz");
        assertEquals(0, run(f));
        assertEquals(List.of(f, "", Kernel.MODULE_INIT_COMPRESSED_FILE), k.calls.get(0).args());
    }

    @Test
    void otherwiseDecompressedHereAndInitModule() throws Exception {
        k.files.put("/sys/module/compression", "zstd\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, run(file("hello.ko.gz"), "count=1"));
        assertEquals(List.of("initModuleImage"), k.methods());
        assertArrayEquals(Fixtures.bytes("hello.ko"), (byte[]) k.calls.get(0).arg(0));
        assertEquals("count=1", k.calls.get(0).arg(1));
    }

    @Test
    void finitChosenForACompressedFileUsesAMemfdWithTheDecompressedImage() throws Exception {
        assertEquals(0, run(file("hello.ko.zst"), List.of(), false, true, List.of(), ModernRequest.Syscall.FINIT, null));
        assertEquals(List.of("finitModuleImage"), k.methods());
        assertArrayEquals(Fixtures.bytes("hello.ko"), (byte[]) k.calls.get(0).arg(1));
        assertTrue(stdout.toString().contains("syscall: finit_module on the zstd-decompressed image in a memfd"), stdout.toString());
    }

    @Test
    void finitMissingFallsBackToInitModule() throws Exception {
        k.failWith.put("finitModule", Errno.ENOSYS);
        assertEquals(0, run(file("hello.ko")));
        assertEquals(List.of("finitModule", "initModuleImage"), k.methods());
    }

    @Test
    void dashReadsStandardInput() {
        byte[] xz = Fixtures.bytes("hello.ko.xz");
        assertEquals(0, run("-", List.of("count=9"), false, false, List.of(), ModernRequest.Syscall.AUTO, xz));
        assertEquals(List.of("initModuleImage"), k.methods());
        assertArrayEquals(Fixtures.bytes("hello.ko"), (byte[]) k.calls.get(0).arg(0));
    }

    // ---- diagnostics ----------------------------------------------------------------------------

    @Test
    void eexistSaysAlreadyLoaded() throws Exception {
        k.failWith.put("finitModule", Errno.EEXIST);
        String f = file("hello.ko");
        assertEquals(1, run(f));
        assertEquals("insmod: ERROR: could not insert module " + f + ": File exists -- module hello is already loaded\n", err());
    }

    @Test
    void enoentNamesTheSymbolsMissingFromKallsyms() throws Exception {
        k.failWith.put("finitModule", Errno.ENOENT);
        k.files.put("/proc/kallsyms", ("ffffffff81000000 T __fentry__\nffffffff82000000 r __ksymtab___fentry__\n"
                + "ffffffff81000100 T __x86_return_thunk\nffffffff82000010 r __ksymtab___x86_return_thunk\n"
                + "ffffffffc0000000 t helper\t[othermod]\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, run(file("undef.ko")));
        assertTrue(err().contains(": No such file or directory -- the module needs a symbol missing from /proc/kallsyms:\n"
                + "insmod:   insmod_vmtest_no_such_symbol\n"), err());
        assertFalse(err().contains("__fentry__"), err());
    }

    @Test
    void enoexecShowsBothVermagicsAndTheMachine() throws Exception {
        byte[] m = Fixtures.bytes("hello.ko");
        String good = "vermagic=6.1.0-56-amd64 SMP preempt";
        String text = new String(m, StandardCharsets.ISO_8859_1).replace(good, "vermagic=6.1.0-99-amd64 SMP preempt");
        Path f = dir.resolve("bad.ko");
        Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
        k.failWith.put("finitModule", Errno.ENOEXEC);
        k.files.put("/lib/modules/6.1.0-56-amd64/modules.dep", "kernel/x/hello.ko:\n".getBytes(StandardCharsets.US_ASCII));
        k.files.put("/lib/modules/6.1.0-56-amd64/kernel/x/hello.ko", m);
        assertEquals(1, run(f.toString()));
        String e = err();
        assertTrue(e.contains(": Exec format error -- the kernel rejected the module's format:"), e);
        assertTrue(e.contains("module vermagic:  6.1.0-99-amd64 SMP preempt mod_unload modversions"), e);
        assertTrue(e.contains("kernel vermagic:  6.1.0-56-amd64 SMP preempt mod_unload modversions"), e);
        assertTrue(e.contains("running release: 6.1.0-56-amd64 -- the module was built for 6.1.0-99-amd64"), e);
        assertTrue(e.contains("ELF machine:     x86-64 (EM_X86_64, 62), 64-bit, as the host (x86_64) needs"), e);
        k.machine = "aarch64";
        stderr.reset();
        run(f.toString());
        assertTrue(err().contains("-- the host (aarch64) needs AArch64 (EM_AARCH64, 183), 64-bit"), err());
    }

    @Test
    void keyRejectedNamesTheSigner() throws Exception {
        k.failWith.put("finitModule", Errno.EKEYREJECTED);
        k.files.put("/sys/module/module/parameters/sig_enforce", "Y\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, run(file("hello-signed.ko")));
        String e = err();
        assertTrue(e.contains(": Key was rejected by service -- the kernel requires signed modules and rejected this one"), e);
        assertTrue(e.contains("module.sig_enforce=1"), e);
        assertTrue(e.contains("signed by '" + Fixtures.expected("signed.signer") + "' (key id "
                + Fixtures.expected("signed.sig_key") + ", sha256)"), e);
        stderr.reset();
        k.failWith.put("finitModule", Errno.ENOKEY);
        run(file("hello.ko"));
        assertTrue(err().contains("Required key not available -- the kernel requires signed modules and has no key")
                && err().contains("the module carries no signature"), err());
    }

    @Test
    void epermSaysWhy() throws Exception {
        k.failWith.put("finitModule", Errno.EPERM);
        k.files.put("/proc/self/status", "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\n".getBytes(StandardCharsets.US_ASCII));
        String f = file("hello.ko");
        run(f);
        assertTrue(err().contains("Operation not permitted -- insmod is not running as root (effective uid 1000)"), err());
        stderr.reset();
        k.files.put("/proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n".getBytes(StandardCharsets.US_ASCII));
        k.files.put("/proc/sys/kernel/modules_disabled", "1\n".getBytes(StandardCharsets.US_ASCII));
        run(f);
        assertTrue(err().contains("-- module loading is disabled until reboot (/proc/sys/kernel/modules_disabled is 1)"), err());
    }

    // ---- refusals before the kernel --------------------------------------------------------------

    @Test
    void verifyRefusesAnythingButAGoodSignature() throws Exception {
        String signing = file("signing-cert.der"), other = file("other-cert.pem");
        assertEquals(1, run(file("hello-signed.ko"), List.of(), false, false, List.of(other), ModernRequest.Syscall.AUTO, null));
        assertTrue(err().startsWith("insmod: ERROR: refusing to load ") && err().contains("--verify: unknown key"), err());
        assertEquals(1, run(file("hello.ko"), List.of(), false, false, List.of(signing), ModernRequest.Syscall.AUTO, null));
        assertTrue(err().contains("--verify: the module is unsigned"), err());
        assertEquals(List.of(), k.methods());
        assertEquals(0, run(file("hello-signed.ko"), List.of(), false, true, List.of(other, signing), ModernRequest.Syscall.AUTO, null));
        assertEquals(List.of("finitModule"), k.methods());
        String o = stdout.toString();
        assertTrue(o.contains("signer: insmod test signing key\nkey id: " + Fixtures.expected("signed.sig_key") + "\ndigest: sha256\n"), o);
        assertTrue(o.contains("verified with certificate 'insmod test signing key'"), o);
    }

    @Test
    void verifyWithAPemMadeInTheTest() throws Exception {
        SignatureTest.Made m = SignatureTest.signHere(Fixtures.bytes("hello.ko"), "test key");
        Path mod = dir.resolve("m.ko"), pem = dir.resolve("k.pem");
        Files.write(mod, m.module());
        Files.writeString(pem, SignatureTest.pem(m.cert()));
        assertEquals(0, run(mod.toString(), List.of(), false, false, List.of(pem.toString()), ModernRequest.Syscall.AUTO, null));
        byte[] tampered = m.module();
        tampered[64] ^= 0x55;
        Files.write(mod, tampered);
        assertEquals(1, run(mod.toString(), List.of(), false, false, List.of(pem.toString()), ModernRequest.Syscall.AUTO, null));
        assertTrue(err().contains("--verify: bad digest"), err());
    }

    @Test
    void a24ObjectGetsASentenceAndNoSyscall() throws Exception {
        assertEquals(1, run(file("legacy24-hello.o")));
        assertTrue(err().contains("is a Linux 2.0-2.4 module (.o, kernel_version=2.4.27)")
                && err().contains("the running kernel 6.1.0-56-amd64 loads only 2.6+ modules (.ko)"), err());
        assertEquals(List.of(), k.methods());
    }

    @Test
    void aKoForA24KernelIsRecognised() {
        assertTrue(ModernInsmod.isModernModule(Fixtures.bytes("hello.ko.xz")));
        assertFalse(ModernInsmod.isModernModule(Fixtures.bytes("legacy24-hello.o")));
        ToolLog m = new ToolLog("insmod", new PrintStream(stdout, true), new PrintStream(stderr, true));
        assertEquals(1, ModernInsmod.refuseOnLegacyKernel("hello.ko", "2.4.27", m));
        assertTrue(err().contains("hello.ko: it is a Linux 2.6+ module (.ko), but the running kernel 2.4.27 is a 2.1-2.4 kernel"), err());
    }

    @Test
    void aKoReadInPlaceIsRecognisedToo() throws Exception {
        // The CLI opens a plain object in place; the check then reads only the section table and .modinfo.
        String[] modern = {"hello.ko", "hello.ko.xz"};
        for (String name : modern) {
            try (org.modutils.insmod.elf.ElfSource src = org.modutils.insmod.elf.ElfSource.open(Fixtures.copy(name, dir))) {
                assertTrue(ModernInsmod.isModernModule(src), name);
            }
        }
        try (org.modutils.insmod.elf.ElfSource src = org.modutils.insmod.elf.ElfSource.open(
                Fixtures.copy("legacy24-hello.o", dir))) {
            assertFalse(ModernInsmod.isModernModule(src));
        }
        Path junk = dir.resolve("junk.o");
        Files.write(junk, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        try (org.modutils.insmod.elf.ElfSource src = org.modutils.insmod.elf.ElfSource.open(junk)) {
            assertFalse(ModernInsmod.isModernModule(src));
        }
    }

    @Test
    void unreadableAndCorruptFilesAreSentencesNotTraces() throws Exception {
        assertEquals(1, run(dir.resolve("nope.ko").toString()));
        assertTrue(err().endsWith("could not load module " + dir.resolve("nope.ko") + ": No such file or directory\n"), err());
        stderr.reset();
        byte[] xz = Fixtures.bytes("hello.ko.xz");
        Path cut = dir.resolve("cut.ko.xz");
        Files.write(cut, java.util.Arrays.copyOf(xz, xz.length / 2));
        assertEquals(1, run(cut.toString()));
        assertTrue(err().contains("corrupt xz data"), err());
        assertFalse(err().contains("\tat "), err());
    }
}
