package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.modutils.insmod.kernel.ModuleStatus.*;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.modutils.insmod.kernel.KernelSymbol;

/**
 * ksyms' header and columns (modutils 2.4 ksyms.c's formats: "%0*lx  %-32s  [%s]", the -m line
 * "%0*lx  (%luk)" padded to the [module] column). /proc/ksyms itself is compared on the real
 * kernels by scripts/vm-legacy-test.sh.
 */
class KsymsTest {
    private static FakeLegacyKernel kernel() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        k.modules.add(FakeLegacyKernel.module("ext3", 0xc8844000L, 64800, RUNNING | USED_ONCE, 1, List.of(),
                new KernelSymbol(0xc8846f10L, "ext3_fs_type")));
        k.modules.add(FakeLegacyKernel.module("jbd", 0xc8830000L, 1024, RUNNING | USED_ONCE, 0, List.of("ext3"),
                new KernelSymbol(0xc8831000L, "journal_start_R12345678"),
                new KernelSymbol(0xc8831200L, "a_name_longer_than_thirty_two_characters")));
        k.kernelSymbols.add(new KernelSymbol(0xc0119a40L, "printk_R1b7d4074"));
        return k;
    }

    @Test
    void moduleSymbolsWithHeader() {
        FakeLegacyKernel.Run r = kernel().run(Ksyms::run);
        assertEquals(0, r.rc());
        assertEquals("Address   Symbol                            Defined by\n"
                + "c8846f10  ext3_fs_type                      [ext3]\n"
                + "c8831000  journal_start_R12345678           [jbd]\n"
                + "c8831200  a_name_longer_than_thirty_two_characters  [jbd]\n", r.out());
    }

    @Test
    void allInfoNoHeader() {
        FakeLegacyKernel.Run r = kernel().run(Ksyms::run, "-a", "-m", "-h");
        assertEquals("c8844000  (64k)" + " ".repeat(44 - 15) + "[ext3]\n"       // [module] in the symbol lines' column
                
                + "c8846f10  ext3_fs_type                      [ext3]\n"
                + "c8830000  (1k)" + " ".repeat(44 - 14) + "[jbd]\n"
                
                + "c8831000  journal_start_R12345678           [jbd]\n"
                + "c8831200  a_name_longer_than_thirty_two_characters  [jbd]\n"
                + "c0119a40  printk_R1b7d4074                \n", r.out());
    }

    @Test
    void sixtyFourBitKernelsWidenTheAddresses() {
        FakeLegacyKernel k = kernel();
        k.machine = "x86_64";
        String first = k.run(Ksyms::run, "-a").out().lines().findFirst().get();
        assertEquals("Address           Symbol                            Defined by", first);
        assertEquals("00000000c0119a40  printk_R1b7d4074                ",
                k.run(Ksyms::run, "-a", "-h").out().lines().reduce((a, b) -> b).get());
    }

    @Test
    void helpVersionAndBadOptions() {
        FakeLegacyKernel k = kernel();
        assertEquals(Ksyms.USAGE, k.run(Ksyms::run, "-H").err());
        FakeLegacyKernel.Run v = k.run(Ksyms::run, "-V", "-h");
        assertEquals("ksyms version 2.4.16\n", v.err());          // -V goes on, as the original's did
        assertEquals(0, v.rc());
        assertEquals(3, v.out().lines().count());
        FakeLegacyKernel.Run bad = k.run(Ksyms::run, "--bogus");
        assertEquals(1, bad.rc());
        assertEquals("ksyms: unrecognized option '--bogus'\n" + Ksyms.USAGE, bad.err());
    }

    @Test
    void jsonHasEveryModuleAndWithAllTheKernelsSymbols() {
        FakeLegacyKernel.Run r = kernel().run(Ksyms::run, "--json", "-a");
        assertEquals(0, r.rc());
        assertEquals("{\"word_size\":4,\"modules\":["
                + "{\"name\":\"ext3\",\"address\":\"0xc8844000\",\"size\":64800,\"symbols\":["
                + "{\"name\":\"ext3_fs_type\",\"address\":\"0xc8846f10\"}]},"
                + "{\"name\":\"jbd\",\"address\":\"0xc8830000\",\"size\":1024,\"symbols\":["
                + "{\"name\":\"journal_start_R12345678\",\"address\":\"0xc8831000\"},"
                + "{\"name\":\"a_name_longer_than_thirty_two_characters\",\"address\":\"0xc8831200\"}]}],"
                + "\"kernel\":[{\"name\":\"printk_R1b7d4074\",\"address\":\"0xc0119a40\"}]}\n", r.out());
        assertEquals(false, kernel().run(Ksyms::run, "--json").out().contains("\"kernel\""));
    }
}
