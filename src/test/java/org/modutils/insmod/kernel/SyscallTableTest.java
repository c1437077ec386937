package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SyscallTableTest {
    @Test
    void jvmArchNamesMapToTables() throws Exception {
        assertSame(SyscallTable.X86_64, SyscallTable.forArch("amd64"));
        assertSame(SyscallTable.I386, SyscallTable.forArch("i386"));
        assertSame(SyscallTable.I386, SyscallTable.forArch("x86"));
        assertSame(SyscallTable.ARM, SyscallTable.forArch("arm"));
        assertSame(SyscallTable.AARCH64, SyscallTable.forArch("aarch64"));
    }

    @Test
    void unknownArchitectureIsNamed() {
        KernelException e = assertThrows(KernelException.class, () -> SyscallTable.forArch("sparcv9"));
        assertTrue(e.getMessage().contains("'sparcv9'") && e.getMessage().contains("x86_64, i386, arm, aarch64"));
    }

    /** The numbers as the kernel's headers installed on this host define them (linux-libc-dev). */
    private static Map<String, Integer> header(String file) throws Exception {
        Path p = Path.of("/usr/include/x86_64-linux-gnu/asm", file);
        Assumptions.assumeTrue(Files.exists(p), "no " + p);
        Map<String, Integer> m = new HashMap<>();
        Matcher x = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(p));
        while (x.find()) m.put(x.group(1), Integer.parseInt(x.group(2)));
        return m;
    }

    private static void assertTable(SyscallTable t, Map<String, Integer> h) {
        assertEquals(h.get("create_module"), t.createModule());
        assertEquals(h.get("init_module"), t.initModule());
        assertEquals(h.get("delete_module"), t.deleteModule());
        assertEquals(h.get("query_module"), t.queryModule());
        assertEquals(h.get("finit_module"), t.finitModule());
        assertEquals(h.get("memfd_create"), t.memfdCreate());
    }

    @Test
    void x86TablesMatchTheKernelHeaders() throws Exception {
        assertTable(SyscallTable.X86_64, header("unistd_64.h"));
        assertTable(SyscallTable.I386, header("unistd_32.h"));
    }

    @Test
    void armAndAarch64AsInTheKernelTables() {
        // arch/arm/tools/syscall.tbl and include/uapi/asm-generic/unistd.h
        assertEquals(128, SyscallTable.ARM.initModule());
        assertEquals(379, SyscallTable.ARM.finitModule());
        assertEquals(105, SyscallTable.AARCH64.initModule());
        assertEquals(273, SyscallTable.AARCH64.finitModule());
        assertEquals(-1, SyscallTable.AARCH64.queryModule()); // never existed: not a legacy kernel
    }
}
