package org.modutils.insmod.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Replays the fuzzers' generated corpora (target/fuzz-corpus) and seeds through their targets,
 * for the coverage report of `mvn -Pfuzz-coverage test` (docs/fuzzing.md). Off in `mvn test`:
 * the corpora live in target/ and differ from machine to machine.
 */
@EnabledIfSystemProperty(named = "insmod.fuzz.replay", matches = "true")
class CorpusReplayTest {
    @TestFactory
    Stream<DynamicTest> corpora() throws IOException {
        List<DynamicTest> out = new ArrayList<>();
        for (Map.Entry<String, java.util.function.Consumer<byte[]>> t : Targets.ALL.entrySet()) {
            for (String base : new String[] {"target/fuzz-corpus/", "target/fuzz-seeds/"}) {
                Path dir = Paths.get(base + t.getKey());
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        out.add(DynamicTest.dynamicTest(t.getKey() + " " + dir.relativize(f),
                                () -> {
                                    byte[] data;
                                    try {
                                        data = Files.readAllBytes(f);
                                    } catch (java.nio.file.NoSuchFileException gone) {
                                        return; // a running fuzzer replaced it with a smaller input
                                    }
                                    t.getValue().accept(data);
                                }));
                    }
                }
            }
        }
        return out.stream();
    }
}
