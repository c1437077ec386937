package org.modutils.insmod.modern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KoFileTest {
    @Test
    void modinfoAsKmodReadsIt() throws Exception {
        KoFile ko = KoFile.parse(Fixtures.bytes("hello.ko"));
        assertEquals(Fixtures.expected("hello.name"), ko.modinfo("name"));
        assertEquals(Fixtures.expected("hello.vermagic"), ko.modinfo("vermagic"));
        assertEquals(new TreeSet<>(List.of("count:int", "name:charp", "nums:array of int")),
                new TreeSet<>(ko.modinfo().get("parmtype"))); // modinfo -F parmtype
        assertTrue(ko.isModernModule());
        assertFalse(ko.isLegacyModule());
    }

    @Test
    void machineAsReadelfNamesIt() throws Exception {
        KoFile ko = KoFile.parse(Fixtures.bytes("hello.ko"));
        assertTrue(Fixtures.expected("hello.machine").contains("X86-64"));
        assertEquals(KoFile.EM_X86_64, ko.machine());
        assertTrue(ko.is64());
        assertArrayEquals(new int[] {KoFile.EM_X86_64, 64}, KoFile.expectedFor("x86_64"));
        assertArrayEquals(new int[] {KoFile.EM_386, 32}, KoFile.expectedFor("i686"));
    }

    @Test
    void versionsAsModprobeDumpsThem() throws Exception {
        KoFile ko = KoFile.parse(Fixtures.bytes("hello.ko"));
        long crc = Long.decode(Fixtures.expected("hello.module_layout.crc"));
        assertTrue(ko.versions().contains(new KoFile.Version(crc, "module_layout")), ko.versions().toString());
    }

    @Test
    void undefinedSymbolsAsReadelfListsThem() throws Exception {
        KoFile ko = KoFile.parse(Fixtures.bytes("undef.ko"));
        assertEquals(new TreeSet<>(Arrays.asList(Fixtures.expected("undef.undefined").split(","))),
                new TreeSet<>(ko.undefinedSymbols()));
    }

    @Test
    void a24ObjectIsRecognised() throws Exception {
        KoFile ko = KoFile.parse(Fixtures.bytes("legacy24-hello.o"));
        assertTrue(ko.isLegacyModule());
        assertEquals(Fixtures.expected("legacy24.kernel_version"), ko.modinfo("kernel_version"));
        assertEquals(KoFile.EM_386, ko.machine());
    }

    @Test
    void garbageIsRefusedWithAReason() {
        assertThrows(KoFile.BadModuleException.class, () -> KoFile.parse("hello world, not ELF at all....................................".getBytes()));
        byte[] cut = Arrays.copyOf(Fixtures.bytes("hello.ko"), 200); // section headers are at the end
        KoFile.BadModuleException e = assertThrows(KoFile.BadModuleException.class, () -> KoFile.parse(cut));
        assertTrue(e.getMessage().contains("outside the file"), e.getMessage());
    }
}
