package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against the /proc/ksyms samples the original insmod's recorded cases were run with. */
class KsymsParserTest {
    private static KernelSymbols parse(String resource) throws Exception {
        try (InputStream in = KsymsParserTest.class.getResourceAsStream("/ksyms/" + resource)) {
            return KsymsParser.parse(in.readAllBytes());
        }
    }

    @Test
    void kernelSymbolsAndOneModule32() throws Exception {
        KernelSymbols s = parse("ksyms32.txt");
        assertEquals(List.of(new KernelSymbol(0xc0118f20L, "printk"), new KernelSymbol(0xc011a000L, "kmalloc"),
                new KernelSymbol(0xc011a100L, "kfree"), new KernelSymbol(0xc0123456L, "jiffies"),
                new KernelSymbol(0xc0200000L, "sprintf")), s.kernel());
        assertEquals(1, s.modules().size());
        LoadedModule m = s.modules().get(0);
        assertEquals("othermod", m.name());
        assertEquals(0xd0810000L, m.address()); // the __insmod_othermod_O... value
        assertEquals(4, m.symbols().size());
        assertEquals(new KernelSymbol(0xd0810060L, "othermod_func"), m.symbols().get(0));
        assertEquals("__insmod_othermod_S.text_L512", m.symbols().get(3).name());
    }

    @Test
    void addressesAbove2To63On64Bit() throws Exception {
        KernelSymbols s = parse("ksyms64.txt");
        assertEquals(0xffffffff80118f20L, s.kernel().get(0).value());
        assertEquals(0xffffffffa0810000L, s.modules().get(0).address());
    }

    @Test
    void namesKeepVersionSuffixesAndGplPrefixes() throws Exception {
        assertEquals("printk_R1b7d4074", parse("ksyms32-versioned.txt").kernel().get(1).name());
        assertEquals("printk_Rsmp_1b7d4074", parse("ksyms32-versioned-smp.txt").kernel().get(1).name());
        assertEquals("GPLONLY_printk", parse("ksyms32-gplonly.txt").kernel().get(0).name());
        assertTrue(parse("ksyms-hppa.txt").kernel().contains(new KernelSymbol(0xc0480000L, "$global$")));
    }

    @Test
    void emptyAndNoModules() throws Exception {
        assertEquals(new KernelSymbols(List.of(), List.of()), parse("empty.txt"));
        assertEquals(0, parse("ksyms32-noothers.txt").modules().size());
    }

    @Test
    void moduleOrderAsListedAndAddressZeroWithoutInsmodSymbol() throws Exception {
        String text = "c8000010 b_sym\t[bmod]\nc9000010 a_sym\t[amod]\nc8000000 __insmod_bmod_O/x/b.o_M0_V1\t[bmod]\n"
                + "c0100000 printk\n";
        KernelSymbols s = KsymsParser.parse(text.getBytes(StandardCharsets.US_ASCII));
        assertEquals("bmod", s.modules().get(0).name());
        assertEquals(0xc8000000L, s.modules().get(0).address());
        assertEquals("amod", s.modules().get(1).name());
        assertEquals(0, s.modules().get(1).address());
    }

    @Test
    void aBrokenLineIsNamed() {
        KernelException e = assertThrows(KernelException.class,
                () -> KsymsParser.parse("c0100000 printk\nnothex kfree\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().startsWith("line 2: "), e.getMessage());
    }
}
