package org.modutils.insmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The shape of src/main read from its source text (no build tool needed): which package uses
 * which (imports, static imports and fully qualified names), and that no two packages use each
 * other, directly or round a circle.
 */
class LayeringTest {
    static final Path MAIN = Paths.get("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.modutils\\.insmod\\.((?:[a-z]\\w*\\.)*)[A-Z]");

    /** Package -> the packages of this project it refers to (itself excluded). */
    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(MAIN)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher pm = PACKAGE.matcher(text);
            assertTrue(pm.find(), file + " has no package line");
            String pkg = pm.group(1);
            Set<String> uses = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(text.substring(pm.end()));
            while (m.find()) {
                String used = "org.modutils.insmod." + m.group(1);
                used = used.substring(0, used.length() - 1);
                if (!used.equals(pkg)) {
                    uses.add(used);
                }
            }
        }
        return deps;
    }

    /** The strongly connected components of more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> deps) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : deps.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, deps, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> deps, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : deps.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, deps, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.size() > 5, "read only " + deps.keySet());
        assertEquals(List.of(), cycles(deps), "packages that use each other: " + deps);
    }

    /** The check itself: a circle of three is found, a chain is not. */
    @Test
    void cycleFinderFindsACircle() {
        Map<String, Set<String>> circle = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(new TreeMap<>(circle)));
        Map<String, Set<String>> chain = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of());
        assertEquals(List.of(), cycles(new TreeMap<>(chain)));
    }

    /**
     * The layers of docs/ARCHITECTURE.md: what each lower package may use (its whole list; a
     * package not named here is only held to the no-cycle rule).
     */
    static final Map<String, Set<String>> MAY_USE = Map.of(
            "report", Set.of(),
            "sys", Set.of(),
            "elf", Set.of("sys", "report"),
            "link", Set.of("elf", "sys", "report"),
            "arch", Set.of("elf", "link", "sys", "report"),
            "kernel", Set.of("sys", "report"),
            "kernel.remote", Set.of("kernel", "sys", "report"),
            "config", Set.of("sys", "report"),
            "module", Set.of("elf", "link", "arch", "kernel", "sys", "report"));

    @Test
    void lowerLayersKnowNothingOfHigherOnes() throws IOException {
        dependencies().forEach((pkg, uses) -> {
            Set<String> allowed = MAY_USE.get(pkg.replace("org.modutils.insmod.", ""));
            if (allowed == null) {
                return;
            }
            for (String u : uses) {
                assertTrue(allowed.contains(u.replace("org.modutils.insmod.", "")), pkg + " uses " + u);
            }
        });
    }

    /** One idea per file: no file of src/main is over 600 lines. */
    @Test
    void noFileOverSixHundredLines() throws IOException {
        List<String> long_ = new ArrayList<>();
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".java")).toList()) {
                long n = Files.readAllLines(p).size();
                if (n > 600) {
                    long_.add(p + ": " + n);
                }
            }
        }
        assertEquals(List.of(), long_);
    }

    /** The library does not know its tools: nothing outside cli uses cli. */
    @Test
    void onlyTheToolsUseCli() throws IOException {
        dependencies().forEach((pkg, uses) -> {
            if (!pkg.endsWith(".cli")) {
                assertTrue(!uses.contains("org.modutils.insmod.cli"), pkg + " uses the command line: " + uses);
            }
        });
    }
}
