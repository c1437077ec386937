package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KsymsModuleOrderTest {
    @Test
    void modulesNewestFirstWithStructAddressFromTheInsmodSymbol() throws Exception {
        String text = ""
                + "c8814060 ext3_fs_type_R1234abcd\t[ext3]\n"
                + "c8810000 __insmod_ext3_O/lib/modules/2.4.18/kernel/fs/ext3/ext3.o_M3C2F1B2A_V132114\t[ext3]\n"
                + "c8800000 __insmod_jbd_O/lib/modules/2.4.18/kernel/fs/jbd/jbd.o_M3C2F1B29_V132114\t[jbd]\n"
                + "c8801234 journal_start_R5e3b1bd4\t[jbd]\n"
                + "c88f0010 bare_symbol\t[noinsmod]\n"
                + "c0115e80 printk_R1b7d4074\n"
                + "c01a0000 GPLONLY_some_gpl_sym\n";
        KernelSymbols s = KsymsParser.parse(text.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(List.of("ext3", "jbd", "noinsmod"), s.modules().stream().map(LoadedModule::name).toList());
        assertEquals(0xc8810000L, s.modules().get(0).address());
        assertEquals(0xc8800000L, s.modules().get(1).address());
        assertEquals(0L, s.modules().get(2).address(), "no __insmod_ symbol: address unknown");
        assertEquals(new KernelSymbol(0xc8801234L, "journal_start_R5e3b1bd4"), s.modules().get(1).symbols().get(1));
        assertEquals(List.of(new KernelSymbol(0xc0115e80L, "printk_R1b7d4074"),
                new KernelSymbol(0xc01a0000L, "GPLONLY_some_gpl_sym")), s.kernel());
    }
}
