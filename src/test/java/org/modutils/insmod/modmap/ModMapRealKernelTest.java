package org.modutils.insmod.modmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The map against what the real Debian 6.1 kernel did with the same modules
 * (src/test/resources/modmap: /sys/module/NAME/sections and /proc/kallsyms recorded under qemu).
 */
class ModMapRealKernelTest {
    static byte[] resource(String name) {
        try (InputStream in = ModMapRealKernelTest.class.getResourceAsStream("/modmap/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(String name) {
        return new String(resource(name), StandardCharsets.US_ASCII).lines().toList();
    }

    /** The recorded /sys/module/NAME/sections. */
    static Map<String, Long> recorded(String module) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String l : lines(module + ".sections")) {
            String[] f = l.split(" ");
            m.put(f[0], Long.parseUnsignedLong(f[1].substring(2), 16));
        }
        return m;
    }

    static ModuleMap map(String module, Map<String, Long> given, String release) throws MapException {
        return ModMap.build(new MapRequest(module + ".ko", resource(module + ".ko"), given, release));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "libcrc32c"})
    void everyKallsymsSymbolIsInTheMapAtItsAddressWithItsLetter(String module) throws MapException {
        assertEveryLineInTheMap(module, map(module, recorded(module), null), lines(module + ".kallsyms"));
    }

    /** Every recorded kallsyms line ("address letter name") is a symbol of the map. */
    static void assertEveryLineInTheMap(String module, ModuleMap m, List<String> want) {
        Set<String> have = new HashSet<>();
        for (ModuleMap.Symbol s : m.symbols()) {
            have.add(String.format("%016x %c %s", s.address(), s.type(), s.name()));
        }
        assertFalse(want.isEmpty());
        for (String line : want) {
            assertTrue(have.contains(line), module + ": " + line + " not in the map");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "libcrc32c"})
    void textAndInitTextAloneGiveEveryOtherSection(String module) throws MapException {
        Map<String, Long> real = recorded(module);
        // hello has no .text: its only core code is .exit.text, the first core section
        String anchor = real.containsKey(".text") ? ".text" : ".exit.text";
        Map<String, Long> given = Map.of(anchor, real.get(anchor), ".init.text", real.get(".init.text"));
        ModuleMap m = map(module, given, null);
        for (Map.Entry<String, Long> e : real.entrySet()) {
            ModuleMap.Section s = m.section(e.getKey());
            assertTrue(s != null, module + ": no section " + e.getKey());
            assertEquals(Long.toHexString(e.getValue()), Long.toHexString(s.address()), module + " " + e.getKey());
        }
        // and the map lists no loaded section the kernel did not list
        assertEquals(real.keySet(), sectionNames(m));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "libcrc32c"})
    void withoutSectionsTheOffsetsAreTheKernels(String module) throws MapException {
        Map<String, Long> real = recorded(module);
        ModuleMap m = map(module, Map.of(), "6.1.0-57-amd64");
        long core = m.sections().get(0).address(), init = m.section(".init.text").address();
        long realCore = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : real.entrySet()) {
            if (!e.getKey().startsWith(".init") && !e.getKey().equals(".symtab") && !e.getKey().equals(".strtab")) {
                realCore = Math.min(realCore, e.getValue());
            }
        }
        assertEquals(0x10000000L, core, "core at its dummy base");
        assertEquals(0x20000000L, init, "init at its dummy base");
        for (ModuleMap.Section s : m.sections()) {
            boolean isInit = s.unit().equals("init");
            long want = real.get(s.name()) - (isInit ? real.get(".init.text") : realCore);
            assertEquals(want, s.address() - (isInit ? init : core), module + " " + s.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello.ko.xz", "hello.ko.zst", "hello.ko.gz"})
    void compressedModulesMapAsThePlainOne(String name) throws MapException {
        byte[] packed = resource(name); // made by xz, zstd and gzip
        ModuleMap a = map("hello", recorded("hello"), null);
        ModuleMap b = ModMap.build(new MapRequest(name, packed, recorded("hello"), null));
        assertEquals(MapText.render(a, "hello.ko"), MapText.render(b, "hello.ko"));
    }

    /** The recorded kallsyms lines of a module, as grep '\[NAME\]' /proc/kallsyms gives them. */
    static List<KallsymsTable.Line> kallsymsLines(String module) {
        return lines(module + ".kallsyms").stream().map(l -> l.split(" "))
                .map(f -> new KallsymsTable.Line(Long.parseUnsignedLong(f[0], 16), f[1].charAt(0), f[2], module))
                .toList();
    }

    @org.junit.jupiter.api.Test
    void perCpuSymbolsAtTheirAddressWithTheModulesKallsymsLines() throws MapException {
        List<KallsymsTable.Line> ks = kallsymsLines("x_tables");
        ModuleMap m = ModMap.build(new MapRequest("x_tables.ko", resource("x_tables.ko"), recorded("x_tables"), null,
                ks));
        Set<String> have = new HashSet<>();
        for (ModuleMap.Symbol s : m.symbols()) {
            have.add(String.format("%016x %c %s", s.address(), s.type(), s.name()));
        }
        assertTrue(lines("x_tables.kallsyms").contains("0000000000035020 a xt_recseq"), "the recording has it");
        for (String line : lines("x_tables.kallsyms")) {
            assertTrue(have.contains(line), "x_tables: " + line + " not in the map");
        }
        assertEquals(ModuleMap.Source.DERIVED, m.section(".data..percpu").source());
        assertFalse(MapText.render(m, "x_tables.ko").contains("dummy base"));
    }

    @org.junit.jupiter.api.Test
    void perCpuSymbolsWithoutKallsymsLinesAtTheDummyBaseAndTheMapSaysSo() throws MapException {
        ModuleMap m = map("x_tables", recorded("x_tables"), null);
        assertEquals(0xf0000000L, m.section(".data..percpu").address());
        String text = MapText.render(m, "x_tables.ko");
        assertTrue(text.contains("\n# per-cpu symbols at the dummy base 0xf0000000: "), text);
        // lines of another module do not place it
        List<KallsymsTable.Line> other = kallsymsLines("x_tables").stream()
                .map(l -> new KallsymsTable.Line(l.address(), l.type(), l.name(), "ip_tables")).toList();
        ModuleMap o = ModMap.build(new MapRequest("x_tables.ko", resource("x_tables.ko"), recorded("x_tables"), null,
                other));
        assertEquals(0xf0000000L, o.section(".data..percpu").address());
    }

    @org.junit.jupiter.api.Test
    void kallsymsLinesThatDisagreeOnThePerCpuBase() {
        List<KallsymsTable.Line> ks = new java.util.ArrayList<>(kallsymsLines("x_tables"));
        ks.add(new KallsymsTable.Line(0x36020L, 'a', "xt_recseq", "x_tables"));
        MapException e = org.junit.jupiter.api.Assertions.assertThrows(MapException.class, () -> ModMap.build(
                new MapRequest("x_tables.ko", resource("x_tables.ko"), recorded("x_tables"), null, ks)));
        assertTrue(e.getMessage().startsWith("x_tables.ko: ") && e.getMessage().contains("different bases"),
                e.getMessage());
    }

    private static Set<String> sectionNames(ModuleMap m) {
        Set<String> s = new HashSet<>();
        for (ModuleMap.Section x : m.sections()) {
            s.add(x.name());
        }
        return s;
    }
}
