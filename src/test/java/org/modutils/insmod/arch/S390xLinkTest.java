package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

/**
 * s390x beyond the recorded cases (OracleTest holds those byte for byte): the recorded usemod object
 * reaches othermod_var with larl, a PC32DBL of +-4 GB. With othermod loaded 1 TB away
 * (testdata/s390x/ksyms-far.txt) that cannot reach: an error naming the symbol for a real kernel
 * (the original truncated silently), while the PLT call to othermod_func, through insmod's stub
 * holding the full address, still links.
 */
class S390xLinkTest {
    @Test
    void farKernelDataIsAnErrorForARealKernel() throws Exception {
        Path obj = Paths.get("testdata/oracle/s390x/obj/usemod.o");
        RealLoad.Outcome real = RealLoad.load(obj, Paths.get("testdata/s390x/ksyms-far.txt"), 0x10000000L);
        assertEquals(1, real.status(), real.errors().toString());
        assertEquals(1, real.errors().size(), real.errors().toString());
        assertTrue(real.errors().get(0).startsWith("Relocation overflow of type 19 for othermod_var"),
                real.errors().toString());
    }

    @Test
    void nearSymbolsLinkForARealKernel() throws Exception {
        Path obj = Paths.get("testdata/oracle/s390x/obj/hello.o");
        RealLoad.Outcome real = RealLoad.load(obj, Paths.get("testdata/oracle/ksyms/ksyms64.txt"), 0x10000000L);
        assertEquals(0, real.status(), real.errors().toString());
        assertTrue(real.image() != null && real.image().length > 0xb8);
    }
}
