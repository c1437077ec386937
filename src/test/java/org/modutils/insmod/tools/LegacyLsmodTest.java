package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.modutils.insmod.kernel.ModuleStatus.*;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * lsmod's 2.4 format. The expected lines are real modutils 2.4 lsmod output posted to
 * mailing lists (the "obelix" report of a 2.4 box, trailing blanks trimmed by the mail), and
 * otherwise follow lsmod.c's printf formats; the real-kernel comparison with /proc/modules is in
 * scripts/vm-legacy-test.sh.
 */
class LegacyLsmodTest {
    @Test
    void linesAsAReal24LsmodPrintedThem() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        k.tainted = 1;
        k.modules.add(FakeLegacyKernel.module("ide-probe-mod", 0xd0800000L, 8224, RUNNING | AUTOCLEAN | USED_ONCE, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("ide-mod", 0xd0810000L, 58596, RUNNING | AUTOCLEAN | USED_ONCE, 0,
                List.of("ide-probe-mod")));
        k.modules.add(FakeLegacyKernel.module("ipt_TOS", 0xd0820000L, 1344, RUNNING | AUTOCLEAN | USED_ONCE, 13, List.of()));
        k.modules.add(FakeLegacyKernel.module("iptable_mangle", 0xd0830000L, 2016, RUNNING | AUTOCLEAN, 0, List.of()));
        FakeLegacyKernel.Run r = k.run(LegacyLsmod::run);
        assertEquals(0, r.rc());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().map(String::stripTrailing).toList();
        assertEquals(List.of(
                "Module                  Size  Used by    Tainted: P",
                "ide-probe-mod           8224   0  (autoclean)",
                "ide-mod                58596   0  (autoclean) [ide-probe-mod]",
                "ipt_TOS                 1344  13  (autoclean)",
                "iptable_mangle          2016   0  (autoclean) (unused)"), lines);
        assertEquals("Module                  Size  Used by    Tainted: P  ", r.out().lines().findFirst().get(),
                "%c%c%c leaves two blanks for F and S");
    }

    @Test
    void stateMarkersAndTaintLetters() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        k.tainted = 7;
        k.modules.add(FakeLegacyKernel.module("gone", 0, 0, DELETED, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("starting", 0xc8800000L, 4096, INITIALIZING, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("halfmade", 0xc8810000L, 1000, 0, 0, List.of()));
        k.modules.add(FakeLegacyKernel.module("snd-pcm", 0xc8820000L, 45760, RUNNING | USED_ONCE, -1,
                List.of("snd-card-intel8x0", "snd-pcm-oss")));
        FakeLegacyKernel.Run r = k.run(LegacyLsmod::run);
        assertEquals("Module                  Size  Used by    Tainted: PFS\n"
                + "gone                       0   0  (deleted)\n"
                + "starting                4096   0  (initializing)\n"
                + "halfmade                1000   0  (uninitialized)\n"
                + "snd-pcm                45760  -1  [snd-card-intel8x0 snd-pcm-oss]\n", r.out());
    }

    @Test
    void untaintedAndNoTaintFile() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        assertEquals("Module                  Size  Used by    Not tainted\n", k.run(LegacyLsmod::run).out());
        k.tainted = -1;                                  // a kernel before 2.4.10: no /proc/sys/kernel/tainted
        assertEquals("Module                  Size  Used by    \n", k.run(LegacyLsmod::run).out());
    }

    @Test
    void optionsAndUsage() {
        FakeLegacyKernel k = new FakeLegacyKernel();
        FakeLegacyKernel.Run h = k.run(LegacyLsmod::run, "-h");
        assertEquals(0, h.rc());
        assertEquals(LegacyLsmod.USAGE, h.err());
        FakeLegacyKernel.Run v = k.run(LegacyLsmod::run, "--version");
        assertEquals(0, v.rc());
        assertEquals("lsmod version 2.4.16\n", v.err());
        FakeLegacyKernel.Run bad = k.run(LegacyLsmod::run, "-x");
        assertEquals(1, bad.rc());
        assertEquals("lsmod: invalid option -- 'x'\n" + LegacyLsmod.USAGE, bad.err());
        assertEquals("", bad.out());
    }
}
