package org.modutils.insmod.module;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbols;
import org.modutils.insmod.kernel.KsymsParser;

/**
 * The legacy load sequence against a kernel that records what it is asked: create_module gets
 * the image size, init_module gets the image relocated to the returned address, and a failed
 * relocation or init_module is followed by delete_module with nothing else handed over.
 */
class LegacyLoadTest {
    /** A 2.4 kernel that answers create_module with a fixed address and records every call. */
    static final class RecordingKernel implements Kernel {
        final KernelSymbols symbols;
        final long address;
        final int initErrno;
        int createErrno;
        String machine;
        final List<String> calls = new ArrayList<>();
        byte[] image;
        int taint;

        RecordingKernel(KernelSymbols symbols, long address, int initErrno) {
            this.symbols = symbols;
            this.address = address;
            this.initErrno = initErrno;
        }

        @Override public String release() { return "2.4.27"; }
        @Override public String version() { return "#1 Sat Jan 1 00:00:00 UTC 2005"; }
        @Override public boolean legacy() { return true; }
        @Override public String machine() { return machine; }
        @Override public KernelSymbols symbols() { return symbols; }

        @Override
        public long createModule(String name, long size) throws KernelException {
            calls.add("create_module " + name + " " + size);
            if (createErrno != 0) {
                throw new KernelException(createErrno, createErrno == 12 ? "Cannot allocate memory" : "File exists");
            }
            return address;
        }

        @Override
        public void initModule(String name, byte[] img) throws KernelException {
            calls.add("init_module " + name + " " + img.length);
            image = img;
            if (initErrno != 0) {
                throw new KernelException(initErrno, "No such device");
            }
        }

        @Override
        public void deleteModule(String name) {
            calls.add("delete_module " + name);
        }

        @Override public byte[] readFile(String path) { return null; }
        @Override public int tainted() { return taint; }
        @Override public void setTainted(int value) { calls.add("tainted " + value); taint = value; }
    }

    static final class Capture extends Loads.Capture {}

    /** The requests of these tests: module "hello" (unless named), 2.4.27, the recorded mtime. */
    static LoadRequest.Builder builder(Path obj, byte[] bytes, String name) {
        return LoadRequest.builder(obj.toString(), bytes).realPath(obj.toAbsolutePath(), 0x40000000L)
                .moduleName(name).kernel("2.4.27", "#1 Sat Jan 1 00:00:00 UTC 2005");
    }

    static LoadRequest request(Path obj, boolean noload) throws Exception {
        return builder(obj, Files.readAllBytes(obj), "hello").noload(noload).build();
    }

    static KernelSymbols table(String name) throws Exception {
        return KsymsParser.parse(Files.readAllBytes(Paths.get("testdata/oracle/ksyms").resolve(name)));
    }

    @Test
    void imageIsTheDummyImageRelocatedToTheKernelsAddress() throws Exception {
        Path obj = Paths.get("testdata/oracle/i386/obj/hello.o");
        KernelSymbols syms = table("ksyms32.txt");
        Capture c1 = new Capture();
        RecordingKernel offline = new RecordingKernel(syms, 0, 0);
        org.modutils.insmod.cli.Load24.Result dry = Loads.run(request(obj, true), c1, offline, syms);
        assertEquals(0, dry.status(), c1.err.toString());

        long addr = 0xd0900000L;
        RecordingKernel k = new RecordingKernel(syms, addr, 0);
        Capture c2 = new Capture();
        org.modutils.insmod.cli.Load24.Result real = Loads.run(request(obj, false), c2, k, syms);
        assertEquals(0, real.status(), c2.err.toString());
        assertEquals(List.of("create_module hello " + dry.image().length, "init_module hello " + dry.image().length),
                k.calls);
        assertEquals(addr, real.address());
        // Independent expectation: every 32-bit word that differs between the two images must
        // differ by exactly the base difference (absolute relocations into the module), and
        // PC-relative calls to the kernel by its negation; nothing else may change.
        byte[] a = dry.image(), b = k.image;
        long delta = addr - Insmod24.DUMMY_BASE;
        int moved = 0;
        for (int i = 0; i < a.length; ) {
            if (a[i] == b[i]) {
                i++;
                continue;
            }
            // The first differing byte lies in a relocated word that starts at most 3 bytes before.
            int start = -1;
            for (int j = Math.max(0, i - 3); j <= i && j + 4 <= a.length; j++) {
                long d = (org.modutils.insmod.elf.Endian.u32(b, j, false)
                        - org.modutils.insmod.elf.Endian.u32(a, j, false)) & 0xffffffffL;
                if (d == (delta & 0xffffffffL) || d == (-delta & 0xffffffffL)) {
                    start = j;
                    break;
                }
            }
            assertTrue(start >= 0, String.format("byte at 0x%x changed, but no word there moved by the base", i));
            moved++;
            i = start + 4;
        }
        assertTrue(moved > 10, "relocations must have moved: " + moved);
    }

    @Test
    void overflowForARealKernelIsAnErrorAndNothingIsLoaded() throws Exception {
        // An x86_64 module placed below 4 GiB cannot reach the kernel at 0xffffffff80000000
        // with a 32-bit PC-relative call: at the -n base the original truncates silently, but
        // a real kernel must never get such an image.
        Path obj = Paths.get("testdata/oracle/x86_64/obj/hello.o");
        KernelSymbols syms = table("ksyms64.txt");
        RecordingKernel k = new RecordingKernel(syms, 0x12340000L, 0);
        Capture c = new Capture();
        org.modutils.insmod.cli.Load24.Result r = Loads.run(request(obj, false), c, k, syms);
        assertEquals(1, r.status());
        assertTrue(c.err.toString().contains("Relocation overflow of type 2 for printk"), c.err.toString());
        assertEquals(2, k.calls.size(), k.calls.toString());
        assertTrue(k.calls.get(0).startsWith("create_module hello "), k.calls.toString());
        assertEquals("delete_module hello", k.calls.get(1));
    }

    @Test
    void failedInitModuleIsCleanedUpWithTheOriginalsHint() throws Exception {
        Path obj = Paths.get("testdata/oracle/i386/obj/hello.o");
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 19);
        Capture c = new Capture();
        org.modutils.insmod.cli.Load24.Result r = Loads.run(request(obj, false), c, k, syms);
        assertEquals(1, r.status());
        assertEquals(obj + ": init_module: No such device\n", c.err.toString());
        assertTrue(c.out.toString().startsWith("Hint: insmod errors can be caused by incorrect module parameters"),
                c.out.toString());
        assertEquals("delete_module hello", k.calls.get(k.calls.size() - 1));
    }

    @Test
    void failedCreateModuleNeitherInitsNorDeletes() throws Exception {
        Path obj = Paths.get("testdata/oracle/i386/obj/hello.o");
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 0);
        k.createErrno = 12;
        Capture c = new Capture();
        org.modutils.insmod.cli.Load24.Result r = Loads.run(request(obj, false), c, k, syms);
        assertEquals(1, r.status());
        assertEquals(1, k.calls.size(), k.calls.toString());
        long size = Long.parseLong(k.calls.get(0).substring(k.calls.get(0).lastIndexOf(' ') + 1));
        assertEquals(obj + ": can't allocate kernel memory for module; needed " + size + " bytes\n", c.err.toString());
    }

    @Test
    void aConcurrentLoadUnderTheLockIsSuccess() throws Exception {
        Path obj = Paths.get("testdata/oracle/i386/obj/hello.o");
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 0);
        k.createErrno = 17;
        Capture c = new Capture();
        assertEquals(0, Loads.run(request(obj, false), c, k, syms).status(), "EEXIST under -L exits 0");
        assertEquals("", c.err.toString());
    }

    @Test
    void anObjectForAnotherArchitectureNeverReachesTheKernel() throws Exception {
        // An i686 2.4 kernel is offered an ARM object: refused as the original (built for one
        // architecture) refused it, before create_module.
        Path arm = Paths.get("testdata/oracle/arm/obj/hello.o");
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 0);
        k.machine = "i686";
        Capture c = new Capture();
        LoadRequest base = request(arm, false);
        LoadRequest req = builder(arm, Files.readAllBytes(arm), "hello").requiredArch(k.machine).build();
        assertEquals(1, Loads.run(req, c, k, syms).status());
        assertEquals(arm + ": ELF file " + arm + " not for this architecture\n", c.err.toString());
        assertTrue(k.calls.isEmpty(), k.calls.toString());

        Path i386 = Paths.get("testdata/oracle/i386/obj/hello.o");
        LoadRequest ok = builder(i386, Files.readAllBytes(i386), "hello").requiredArch(k.machine).build();
        assertEquals(0, Loads.run(ok, new Capture(), k, syms).status());
    }

    @Test
    void existingModuleIsRefusedBeforeAnythingElse() throws Exception {
        Path obj = Paths.get("testdata/oracle/i386/obj/usemod.o");
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 0);
        Capture c = new Capture();
        LoadRequest base = request(obj, false);
        LoadRequest req = builder(obj, Files.readAllBytes(obj), "othermod").build();
        assertEquals(1, Loads.run(req, c, k, syms).status());
        assertEquals("insmod: a module named othermod already exists\n", c.err.toString());
        assertTrue(k.calls.isEmpty());
    }

    @Test
    void anObjectThatCannotBeReadToTheEndLoadsNothing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // The object is read in place; here the file "shrinks" once its tables are decoded, when
        // the loaded sections are read: one error line, no create_module, no -O file.
        Path obj = Paths.get("testdata/oracle/i386/obj/hello.o");
        byte[] bytes = Files.readAllBytes(obj);
        org.modutils.insmod.elf.ElfFile elf = org.modutils.insmod.elf.ElfFile.parse("x", bytes);
        long text = -1;
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(".text")) {
                text = elf.section(i).offset();
            }
        }
        long textOffset = text;
        org.modutils.insmod.elf.ElfSource shrinking = new org.modutils.insmod.elf.ElfSource() {
            @Override public long size() { return bytes.length; }
            @Override public void read(long off, byte[] dst, int at, int len) throws java.io.IOException {
                if (off == textOffset) {
                    throw new java.io.EOFException();
                }
                System.arraycopy(bytes, (int) off, dst, at, len);
            }
        };
        KernelSymbols syms = table("ksyms32.txt");
        RecordingKernel k = new RecordingKernel(syms, 0xd0900000L, 0);
        k.machine = "i686";
        Path blob = dir.resolve("blob.bin");
        LoadRequest base = request(obj, false);
        LoadRequest req = LoadRequest.builder(obj.toString(), shrinking).realPath(obj.toAbsolutePath(), 0x40000000L)
                .moduleName("hello").kernel("2.4.27", "#1 Sat Jan 1 00:00:00 UTC 2005").requiredArch(k.machine)
                .build();
        Capture c = new Capture();
        assertEquals(1, Loads.run(req, blob, c, k, syms).status());
        assertEquals(obj + ": error reading " + obj + ": file shrank while being read\n", c.err.toString());
        assertTrue(k.calls.isEmpty(), k.calls.toString());
        assertTrue(!Files.exists(blob));
    }
}
