package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-made malformed objects of testdata/malformed (made by Generate.java there): each
 * gives exactly its expected line on stderr, nothing on stdout, exit status 1 and no -O file.
 */
class MalformedCorpusTest {
    static final Path DIR = Paths.get("testdata/malformed");

    @TempDir
    Path tmp;

    record Expectation(String file, String line) {}

    static List<Expectation> expectations() throws IOException {
        List<Expectation> out = new ArrayList<>();
        for (String l : Files.readAllLines(DIR.resolve("expectations.tsv"), StandardCharsets.ISO_8859_1)) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            int tab = l.indexOf('\t');
            out.add(new Expectation(l.substring(0, tab), l.substring(tab + 1)));
        }
        return out;
    }

    @Test
    void everyObjectHasAnExpectationAndThereAreEnough() throws IOException {
        Set<String> listed = new HashSet<>();
        Set<String> classes = new HashSet<>();
        for (Expectation e : expectations()) {
            assertTrue(listed.add(e.file()), "listed twice: " + e.file());
            classes.add(e.file().replaceAll("-(32|64)(le|be)\\.o$", ""));
        }
        try (Stream<Path> s = Files.list(DIR)) {
            Set<String> present = new HashSet<>(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".o"))
                    .toList());
            assertEquals(listed, present);
        }
        assertTrue(listed.size() >= 50, "at least 50 objects: " + listed.size());
        for (String v : new String[] {"32le", "64le", "32be", "64be"}) {
            assertTrue(listed.stream().filter(n -> n.endsWith("-" + v + ".o")).count() >= 30, v);
        }
        assertTrue(classes.size() >= 40, "classes: " + classes.size());
    }

    @TestFactory
    Stream<DynamicTest> eachGivesItsLine() throws IOException {
        return expectations().stream().map(e -> DynamicTest.dynamicTest(e.file(), () -> {
            String obj = DIR.resolve(e.file()).toString();
            Path blob = tmp.resolve(e.file() + ".blob");
            String ksyms = e.file().contains("-64") ? "ksyms64.txt" : "ksyms32.txt";
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = Insmod.run(new String[] {"--ksyms=testdata/oracle/ksyms/" + ksyms, "--uname-release=2.4.27",
                    "-n", "-m", "-O", blob.toString(), obj}, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                    new PrintStream(err, true, StandardCharsets.ISO_8859_1), Map.of("MODULECONFIG", "/dev/null"));
            assertEquals(e.line().replace("{file}", obj) + "\n", err.toString(StandardCharsets.ISO_8859_1));
            assertEquals("", out.toString(StandardCharsets.ISO_8859_1));
            assertEquals(1, rc);
            assertFalse(Files.exists(blob), "no -O file after an error");
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(List.of(), s.toList(), "no temporary file either");
            }
        }));
    }
}
