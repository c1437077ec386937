package org.modutils.insmod.modmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The arm64 map and -O image against what the real Debian 6.1 arm64 kernel (6.1.0-50-cloud-arm64,
 * KASLR on, under qemu-system-aarch64 as a Cortex-A72) did with two of its modules, recorded by
 * scripts/vm-modmap-arm64-test.sh into src/test/resources/modmap/arm64-6.1: the sysfs sections,
 * the module's /proc/kallsyms lines (text only: that kernel has no CONFIG_KALLSYMS_ALL), the
 * kernel symbols the module uses, and the kernel's bytes of the sections it does not patch after
 * relocating, .plt (the veneers of the calls that do not reach the kernel) among them.
 */
class ModMapArm64RealKernelTest {
    private static final String DIR = "arm64-6.1/";
    private static final String RELEASE = "6.1.0-50-cloud-arm64";

    private static byte[] res(String name) {
        return ModMapRealKernelTest.resource(DIR + name);
    }

    private static ModuleMap map(String module, Map<String, Long> given) throws MapException {
        return ModMap.build(new MapRequest(module + ".ko", res(module + ".ko"), given, RELEASE));
    }

    private static Map<String, Long> recorded(String module) {
        return ModMapRealKernelTest.recorded(DIR + module);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dummy", "vfat"})
    void everyKallsymsSymbolIsInTheMapAtItsAddressWithItsLetter(String module) throws MapException {
        ModMapRealKernelTest.assertEveryLineInTheMap(module, map(module, recorded(module)),
                ModMapRealKernelTest.lines(DIR + module + ".kallsyms"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dummy", "vfat"})
    void textAndInitTextAloneGiveEveryOtherSection(String module) throws MapException {
        Map<String, Long> real = recorded(module);
        ModuleMap m = map(module, Map.of(".text", real.get(".text"), ".init.text", real.get(".init.text")));
        for (Map.Entry<String, Long> e : real.entrySet()) {
            ModuleMap.Section s = m.section(e.getKey());
            assertNotNull(s, module + ": no section " + e.getKey());
            assertEquals(Long.toHexString(e.getValue()), Long.toHexString(s.address()), module + " " + e.getKey());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dummy", "vfat"})
    void theImageIsTheKernelsMemoryInTheSectionsItDoesNotPatch(String module) throws MapException {
        MapRequest req = new MapRequest(module + ".ko", res(module + ".ko"), recorded(module), RELEASE);
        ModuleMap m = ModMap.build(req);
        List<ModuleImage.Allocation> images = ModuleImage.build(req,
                KallsymsTable.parse(module + ".ksyms", res(module + ".ksyms")));
        byte[] mem = res(module + ".mem");
        int veneers = 0;
        for (String line : ModMapRealKernelTest.lines(DIR + module + ".memidx")) {
            String[] f = line.split(" ");
            int size = Integer.parseInt(f[1]), off = Integer.parseInt(f[2]);
            byte[] kernel = Arrays.copyOfRange(mem, off, off + size);
            assertArrayEquals(kernel, slice(images, m.section(f[0]).address(), size), module + " " + f[0]);
            if (f[0].equals(".plt")) {
                for (int i = 0; i + 12 <= size; i += 12) {
                    veneers += kernel[i + 11] != 0 ? 1 : 0; // BR x16 ends every entry made
                }
            }
        }
        assertTrue(veneers > 10, module + ": the kernel called through " + veneers + " veneers");
    }

    private static byte[] slice(List<ModuleImage.Allocation> images, long addr, int size) {
        for (ModuleImage.Allocation a : images) {
            if (addr >= a.base() && addr + size <= a.base() + a.bytes().length) {
                int at = (int) (addr - a.base());
                return Arrays.copyOfRange(a.bytes(), at, at + size);
            }
        }
        throw new AssertionError(Long.toHexString(addr) + " in no allocation");
    }
}
