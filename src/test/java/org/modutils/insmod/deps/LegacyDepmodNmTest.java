package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The 2.4 depmod over the real 2.4 modules the project carries (testdata/corpus-i386 with its
 * kernel's exported symbols, testdata/legacy-kernels without), against GNU nm's view of the
 * same objects: a module depends on exactly the modules exporting (through __ksymtab, or every
 * global without one) a symbol it leaves undefined that the kernel does not export, and the
 * symbols nobody exports are the ones -e reports.
 */
class LegacyDepmodNmTest {
    private static final Path CORPUS = Path.of("testdata/corpus-i386/2.4.18-14custom");
    private static final Path KSYMS = CORPUS.resolve("derived/ksyms-from-bzImage-__ksymtab.txt");
    private static final Path LEGACY = Path.of("testdata/legacy-kernels/2.4.27-aks");

    @Test
    void corpusWithItsKernelSymbols() throws IOException {
        check(objects(CORPUS), KSYMS);
    }

    @Test
    void legacyKernelModulesWithoutKernelSymbols() throws IOException {
        check(objects(LEGACY), null);
    }

    private static List<String> objects(Path dir) throws IOException {
        assumeTrue(Files.isDirectory(dir), "no " + dir);
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(Path::toString).filter(p -> p.endsWith(".o")).sorted().toList();
        }
    }

    private void check(List<String> objs, Path ksyms) throws IOException {
        assumeTrue(nm(objs.get(0)) != null, "GNU nm is not installed (binutils)");
        Set<String> kernel = new HashSet<>();
        if (ksyms != null) {
            for (String line : Files.readAllLines(ksyms)) {
                String[] w = line.trim().split("\\s+");
                if (w.length >= 2) kernel.add(w[1]);
            }
        }
        Map<String, String> exporter = new HashMap<>();
        Map<String, List<String>> undefined = new LinkedHashMap<>();
        for (String o : objs) {
            List<String[]> syms = nm(o);
            boolean ksymtab = syms.stream().anyMatch(w -> w[0].startsWith("__ksymtab_"));
            List<String> und = new ArrayList<>();
            for (String[] w : syms) {
                if (w[1].equals("U")) und.add(w[0]);
                else if (ksymtab && w[0].startsWith("__ksymtab_")) exporter.putIfAbsent(w[0].substring(10), o);
                else if (!ksymtab && Character.isUpperCase(w[1].charAt(0))) exporter.putIfAbsent(w[0], o);
            }
            undefined.put(o, und);
        }
        List<String> args = new ArrayList<>(List.of("-e"));
        if (ksyms != null) args.addAll(List.of("-F", ksyms.toString()));
        args.addAll(objs);
        DepTrees.Run r = DepTrees.ours(args.toArray(new String[0]));
        Map<String, Set<String>> ours = parseDep(r.out());
        assertEquals(undefined.keySet(), ours.keySet());
        for (String o : objs) {
            Set<String> want = new HashSet<>();
            Set<String> missing = new HashSet<>();
            for (String u : undefined.get(o)) {
                if (kernel.contains(u) || u.equals("__this_module") || u.equals("mod_use_count_")) continue;
                String by = exporter.get(u);
                if (by == null) missing.add(u);
                else if (!by.equals(o)) want.add(by);
            }
            assertEquals(want, ours.get(o), o);
            for (String m : missing) assertTrue(r.err().contains("depmod: \t" + m + "\n"), o + " should report " + m);
            assertEquals(!missing.isEmpty(), r.err().contains("*** Unresolved symbols in " + o + "\n"), o);
        }
        assertEquals(0, r.status());
    }

    /** modules.dep in 2.4's layout: "NAME:\tDEP \\\n\tDEP\n\n". */
    private static Map<String, Set<String>> parseDep(String text) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        int maps = text.indexOf("# module             id=string\n");
        if (maps >= 0) text = text.substring(0, maps); // the map files follow modules.dep on stdout
        for (String entry : text.split("\n\n")) {
            if (entry.isEmpty()) continue;
            int colon = entry.indexOf(':');
            Set<String> deps = new HashSet<>();
            for (String d : entry.substring(colon + 1).split("[ \t\\\\\n]+")) if (!d.isEmpty()) deps.add(d);
            out.put(entry.substring(0, colon), deps);
        }
        return out;
    }

    /** GNU nm -P: {name, type} per symbol, or null without nm. */
    private static List<String[]> nm(String obj) throws IOException {
        DepTrees.Run r;
        try {
            r = DepTrees.exec(List.of("nm", "-P", obj));
        } catch (IOException e) {
            return null;
        }
        if (r.status() != 0) return null;
        List<String[]> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] w = line.split(" ");
            if (w.length >= 2) out.add(new String[] {w[0], w[1]});
        }
        return out;
    }
}
