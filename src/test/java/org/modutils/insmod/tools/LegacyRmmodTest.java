package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.modutils.insmod.kernel.ModuleStatus.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.elf.ElfFile;
import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.KernelSymbol;

/**
 * rmmod's 2.4 behaviour against a kernel that acts as 2.4's sys_delete_module does (EBUSY for
 * a module with users, ENOENT for an unknown one): messages and exit statuses of rmmod.c, the
 * -r stack rule, -a, snapshots, and persistent data in the file format rmmod.c wrote. The
 * real kernels are in scripts/vm-legacy-test.sh.
 */
class LegacyRmmodTest {
    @TempDir
    Path tmp;

    private static FakeLegacyKernel stack() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        k.modules.add(FakeLegacyKernel.module("ext3", 0xc8844000L, 64800, RUNNING | USED_ONCE, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("cramfs", 0xc8840000L, 4000, RUNNING, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("jbd", 0xc8830000L, 40000, RUNNING | USED_ONCE, 0, List.of("ext3")));
        return k;
    }

    @Test
    void missingBusyAndGood() {
        FakeLegacyKernel k = stack();
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "nosuch", "jbd", "cramfs", "a/b;c");
        assertEquals(1, r.rc());
        assertEquals("rmmod: module nosuch is not loaded\njbd: Device or resource busy\n"
                + "rmmod: module a/b;c is not loaded\n", r.err());
        assertEquals(List.of("cramfs"), k.deleted);
        assertEquals("", r.out());
    }

    @Test
    void stacks() {
        FakeLegacyKernel k = stack();
        FakeLegacyKernel.Run busy = k.run(LegacyRmmod::run, "-r", "jbd");
        assertEquals(1, busy.rc());
        assertEquals("rmmod: jbd is in use\n", busy.err());
        assertEquals(List.of(), k.deleted);
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "-r", "ext3", "nosuch");
        assertEquals(1, r.rc());
        assertEquals("rmmod: module nosuch not loaded\n", r.err());
        assertEquals(List.of("ext3", "jbd"), k.deleted);         // the user first, then what only it used
        FakeLegacyKernel.Run again = k.run(LegacyRmmod::run, "--stacks", "cramfs");
        assertEquals(0, again.rc());
        assertEquals(List.of("ext3", "jbd", "cramfs"), k.deleted);
    }

    @Test
    void aStackWithAnotherUserStays() {
        FakeLegacyKernel k = stack();
        k.modules.add(0, FakeLegacyKernel.module("other", 0xc8850000L, 100, RUNNING, 0, List.of()));
        k.modules.set(3, FakeLegacyKernel.module("jbd", 0xc8830000L, 40000, RUNNING, 0, List.of("other", "ext3")));
        assertEquals(0, k.run(LegacyRmmod::run, "-r", "ext3").rc());
        assertEquals(List.of("ext3"), k.deleted);
    }

    @Test
    void autoclean() {
        FakeLegacyKernel k = stack();
        assertEquals(0, k.run(LegacyRmmod::run, "-a").rc());
        assertEquals(List.of("(autoclean)"), k.deleted);
        k.autocleanErrno = Errno.EPERM;
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "--all", "ignored");
        assertEquals(1, r.rc());
        assertEquals("rmmod: Operation not permitted\n", r.err());
    }

    @Test
    void usage() {
        FakeLegacyKernel k = stack();
        FakeLegacyKernel.Run none = k.run(LegacyRmmod::run);
        assertEquals(1, none.rc());
        assertEquals(LegacyRmmod.USAGE, none.err());
        FakeLegacyKernel.Run h = k.run(LegacyRmmod::run, "-h", "ext3");
        assertEquals(0, h.rc());
        assertEquals(LegacyRmmod.USAGE, h.err());
        FakeLegacyKernel.Run bad = k.run(LegacyRmmod::run, "-f", "ext3");
        assertEquals(1, bad.rc());
        assertEquals("rmmod: invalid option -- 'f'\n" + LegacyRmmod.USAGE, bad.err());
        assertEquals(List.of(), k.deleted);
    }

    @Test
    void snapshotOnlyWhenTheListChanged() throws IOException {
        FakeLegacyKernel k = stack();
        k.files.put("/proc/ksyms", "c0119a40 printk\n".getBytes(StandardCharsets.ISO_8859_1));
        k.files.put("/proc/modules", "jbd 40000 0\n".getBytes(StandardCharsets.ISO_8859_1));
        Map<String, String> env = Map.of("INSMOD_KSYMOOPS_DIR", tmp.toString());
        k.run(LegacyRmmod::run, env, "nosuch");
        assertEquals(0, count(tmp));
        k.run(LegacyRmmod::run, env, "cramfs");
        assertEquals(2, count(tmp));
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                assertTrue(p.getFileName().toString().matches("\\d{14}\\.(ksyms|modules)"), p.toString());
            }
        }
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    // ---- persistent data ----

    private static final long DATA = 0xc8801000L, BSS = 0xc8802000L, MTIME = 0x40000000L;

    /** params-p.o loaded as insmod -e FILE would leave it, its values in kernel memory. */
    private FakeLegacyKernel persistent(Path persist) throws Exception {
        Path obj = tmp.resolve("params.o");
        Files.copy(Path.of("testdata/legacy-kernels/persist/params-p.o"), obj);
        Files.setLastModifiedTime(obj, FileTime.fromMillis(MTIME * 1000));
        ElfFile elf = ElfFile.parse(obj.toString(), Files.readAllBytes(obj));
        long dataSize = 0, bssSize = 0;
        for (int i = 0; i < elf.sectionCount(); i++) {
            if (elf.section(i).name().equals(".data")) dataSize = elf.section(i).size();
            if (elf.section(i).name().equals(".bss")) bssSize = elf.section(i).size();
        }
        FakeLegacyKernel k = stack();
        k.files.put("/proc/sys/kernel/ostype", "Linux\n".getBytes(StandardCharsets.ISO_8859_1));
        k.files.put("/proc/sys/kernel/hostname", "board\n".getBytes(StandardCharsets.ISO_8859_1));
        k.modules.add(0, FakeLegacyKernel.module("params", 0xc8800000L, 8192, RUNNING, 0, List.of(),
                new KernelSymbol(0xc8800000L, "__insmod_params_O" + obj + "_M40000000_V132123"),
                new KernelSymbol(0xc8800000L, "__insmod_params_P" + persist),
                new KernelSymbol(DATA, "__insmod_params_S.data_L" + dataSize),
                new KernelSymbol(BSS, "__insmod_params_S.bss_L" + bssSize)));
        byte[] data = new byte[(int) dataSize];
        byte[] chars = "say \"hi\"\n\\".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(chars, 0, data, 0x10, chars.length);   // p_chars (c16)
        data[0x2a] = (byte) -5;                                 // p_byte
        data[0x2c] = 7;                                         // p_int
        k.memory.put(DATA, data);
        byte[] bss = new byte[(int) bssSize];
        bss[0] = 3;                                             // p_harr[0]
        bss[2] = (byte) 0xfe;                                   // p_harr[1] = -2
        bss[3] = (byte) 0xff;
        k.memory.put(BSS, bss);
        return k;
    }

    @Test
    void persistentValuesGoBackToTheirFile() throws Exception {
        Path persist = tmp.resolve("persist/sub/params");
        FakeLegacyKernel k = persistent(persist);
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, Map.of("UNAME_MACHINE", "i586"), "params");
        assertEquals(0, r.rc());
        assertEquals("", r.err());
        assertEquals(List.of("params"), k.deleted);
        List<String> lines = Files.readAllLines(persist, StandardCharsets.ISO_8859_1);
        assertEquals("#% Kernel Linux board 2.4.27 #1 Sat Jan 10 12:00:00 UTC 2004 i586", lines.get(0));
        assertTrue(lines.get(1).matches("#% Data saved (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 1-3]\\d "
                + "\\d\\d:\\d\\d:\\d\\d \\d{4} GMT"), lines.get(1));
        assertEquals(List.of("p_harr=3,-2", "p_chars=\"say \\\"hi\\\"\\n\\\\\"", "p_byte=-5", "p_int=7"),
                lines.subList(2, lines.size()));
        assertFalse(Files.exists(Path.of(persist + "." + ProcessHandle.current().pid())));
    }

    @Test
    void anExistingFileKeepsItsOrderAndComments() throws Exception {
        Path persist = tmp.resolve("params.conf");
        Files.writeString(persist, "#% Kernel old\n# mine\n\np_int=1\nunknown=5\n  p_byte=9\n",
                StandardCharsets.ISO_8859_1);
        FakeLegacyKernel k = persistent(persist);
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "-e", "-v", "params");
        assertEquals(0, r.rc());
        assertEquals(List.of(), k.deleted);                     // -e saves and leaves the module loaded
        List<String> lines = Files.readAllLines(persist, StandardCharsets.ISO_8859_1);
        assertEquals(List.of("# mine", "", "p_int=7",
                "#% Warning: parameter unknown is not supported in this kernel", "unknown=5", "p_byte=-5",
                "p_harr=3,-2", "p_chars=\"say \\\"hi\\\"\\n\\\\\""), lines.subList(2, lines.size()));
        assertTrue(r.out().contains("Checking params for persistent data\nparams has persistent data\n"), r.out());
        assertTrue(r.out().contains("  MODULE_PARM(p_int, \"ip\");\n"), r.out());
        assertTrue(r.out().contains("Persistent symbol p_int in params at 0xc880102c\n"), r.out());
        assertTrue(r.out().contains("Persistent symbol p_harr in params at 0xc8802000\n"), r.out());
    }

    @Test
    void unreadableValuesLeaveTheFileAlone() throws Exception {
        Path persist = tmp.resolve("params.conf");
        Files.writeString(persist, "p_int=1\n", StandardCharsets.ISO_8859_1);
        FakeLegacyKernel k = persistent(persist);
        k.memory.clear();
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "params");
        assertEquals(0, r.rc());
        assertEquals(tmp.resolve("params.o") + ": has persistent data but the kernel is too old to support it.\n",
                r.err());
        assertEquals("p_int=1\n", Files.readString(persist));
        assertEquals(List.of("params"), k.deleted);
    }

    @Test
    void aChangedObjectIsNotTrusted() throws Exception {
        Path persist = tmp.resolve("params.conf");
        FakeLegacyKernel k = persistent(persist);
        Files.setLastModifiedTime(tmp.resolve("params.o"), FileTime.fromMillis((MTIME + 1) * 1000));
        FakeLegacyKernel.Run r = k.run(LegacyRmmod::run, "-e", "params");
        assertEquals(tmp.resolve("params.o") + ": Object for module params has changed since load\n", r.err());
        assertFalse(Files.exists(persist));
    }
}
