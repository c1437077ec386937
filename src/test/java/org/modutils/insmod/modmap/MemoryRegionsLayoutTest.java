package org.modutils.insmod.modmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * From 6.4 (module_memory) every kind of module memory is its own allocation. No 6.4+ kernel runs
 * here, so the expected addresses are worked out by hand from libcrc32c.ko's section headers as
 * readelf -SW prints them (size, alignment, flags, order) and the kernel's rules (layout_sections'
 * masks and mem types, layout_symtab), each region at its dummy base (n + 1) << 28.
 */
class MemoryRegionsLayoutTest {
    private static ModuleMap map(String release, Map<String, Long> given) throws MapException {
        return ModMap.build(new MapRequest("libcrc32c.ko", ModMapRealKernelTest.resource("libcrc32c.ko"), given, release));
    }

    private static void assertAt(ModuleMap m, String section, long address) {
        assertEquals(Long.toHexString(address), Long.toHexString(m.section(section).address()), section);
    }

    @Test
    void releasesPickTheirRules() {
        assertEquals(LayoutRules.CORE_INIT, LayoutRules.forRelease("6.1.0-57-amd64"));
        assertEquals(LayoutRules.CORE_INIT, LayoutRules.forRelease("5.15.0"));
        assertEquals(LayoutRules.CORE_INIT, LayoutRules.forRelease("6.3.13"));
        assertEquals(LayoutRules.MEMORY_REGIONS, LayoutRules.forRelease("6.4.0"));
        assertEquals(LayoutRules.MEMORY_REGIONS, LayoutRules.forRelease("6.12.9-amd64"));
        assertEquals(LayoutRules.MEMORY_REGIONS, LayoutRules.forRelease("7.0"));
    }

    @Test
    void eachRegionAtItsOwnBase() throws MapException {
        ModuleMap m = map("6.4.0", Map.of());
        assertEquals(LayoutRules.MEMORY_REGIONS, m.rules());
        // MOD_TEXT: .text (0x98, 2**4), .exit.text (2**0)
        assertAt(m, ".text", 0x10000000L);
        assertAt(m, ".exit.text", 0x10000098L);
        // MOD_DATA: __bug_table (0xc, 2**3), .data (empty), .exit.data (2**3), this_module (2**6), .bss (2**3)
        assertAt(m, "__bug_table", 0x20000000L);
        assertAt(m, ".exit.data", 0x20000010L);
        assertAt(m, ".gnu.linkonce.this_module", 0x20000040L);
        assertAt(m, ".bss", 0x200003c0L);
        // MOD_RODATA: the notes, then __ksymtab; no page alignment inside a region
        assertAt(m, ".note.gnu.build-id", 0x30000000L);
        assertAt(m, ".note.Linux", 0x30000024L);
        assertAt(m, "__ksymtab", 0x30000060L);
        // MOD_INIT_TEXT, MOD_INIT_DATA (with the symbol and string tables appended)
        assertAt(m, ".init.text", 0x50000000L);
        assertAt(m, ".init.data", 0x60000000L);
        assertAt(m, ".symtab", 0x60000008L);
        assertAt(m, ".strtab", 0x600003f8L);
        assertEquals("rodata", m.section("__ksymtab").unit());
    }

    @Test
    void aGivenSectionPlacesOnlyItsOwnRegion() throws MapException {
        ModuleMap m = map("6.4.0", Map.of(".text", 0xffffffffc0100000L));
        assertAt(m, ".exit.text", 0xffffffffc0100098L);
        assertAt(m, "__ksymtab", 0x30000060L); // rodata is another allocation: still at its dummy base
        assertEquals(ModuleMap.Source.DERIVED, m.section(".exit.text").source());
        assertEquals(ModuleMap.Source.DUMMY, m.section("__ksymtab").source());
    }

    @Test
    void before64OneCoreAllocationWithPageAlignedParts() throws MapException {
        ModuleMap m = map("6.1.0", Map.of());
        assertAt(m, ".text", 0x10000000L);
        assertAt(m, ".exit.text", 0x10000098L);
        assertAt(m, ".note.gnu.build-id", 0x10001000L);
        assertAt(m, "__bug_table", 0x10002000L);
        assertAt(m, ".init.text", 0x20000000L);
        assertAt(m, ".init.data", 0x20001000L);
        assertAt(m, ".symtab", 0x20002000L);
    }
}
