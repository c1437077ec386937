package org.modutils.insmod.modmap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Damaged modules (cut short anywhere, bytes changed in the headers and tables) give a map or a
 * one-line {@link MapException}, never another exception.
 */
class ModMapDamageTest {
    private static final Map<String, Long> GIVEN = Map.of(".text", 0xffffffffc0100000L);

    private static void tryMap(byte[] data) {
        try {
            ModuleMap m = ModMap.build(new MapRequest("x.ko", data, GIVEN, null));
            MapText.render(m, "x.ko");
        } catch (MapException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("x.ko"), e.getMessage());
        }
    }

    @Test
    void cutShort() {
        byte[] ko = ModMapRealKernelTest.resource("libcrc32c.ko");
        for (int len = 0; len < ko.length; len += 37) {
            tryMap(Arrays.copyOf(ko, len));
        }
    }

    @Test
    void bytesChanged() {
        byte[] ko = ModMapRealKernelTest.resource("libcrc32c.ko");
        Random r = new Random(20);
        for (int round = 0; round < 3000; round++) {
            byte[] d = ko.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                // mostly the ELF header, section headers (at the end) and the symbol table
                int at = switch (r.nextInt(3)) {
                    case 0 -> r.nextInt(64);
                    case 1 -> d.length - 1 - r.nextInt(Math.min(d.length, 2600));
                    default -> r.nextInt(d.length);
                };
                d[at] = (byte) r.nextInt(256);
            }
            tryMap(d);
        }
    }

    @Test
    void damagedArm64ModulesRelocatedOrRefusedInOneLine() throws Exception {
        byte[] ko = Arm64ImageGnuLdTest.ko("relocs.ko");
        Map<String, Long> kernel = Arm64ImageGnuLdTest.kernel(ko);
        Random r = new Random(64);
        for (int round = 0; round < 3000; round++) {
            byte[] d = round < 200 ? Arrays.copyOf(ko, r.nextInt(ko.length)) : ko.clone();
            for (int k = 0; round >= 200 && k < 1 + r.nextInt(4); k++) {
                d[r.nextInt(d.length)] = (byte) r.nextInt(256);
            }
            try {
                ModuleImage.build(Arm64ImageGnuLdTest.request(d), kernel);
            } catch (MapException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().contains("relocs.ko"), e.getMessage());
            }
        }
    }

    @Test
    void damagedCompressedData() {
        byte[] xz = ModMapRealKernelTest.resource("hello.ko.xz");
        byte[] zst = ModMapRealKernelTest.resource("hello.ko.zst");
        byte[] gz = ModMapRealKernelTest.resource("hello.ko.gz");
        for (byte[] z : new byte[][] {xz, zst, gz}) {
            tryMap(Arrays.copyOf(z, z.length / 3));
            byte[] d = z.clone();
            d[d.length / 2] ^= 0x55;
            tryMap(d);
        }
    }
}
