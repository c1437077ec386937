package org.modutils.insmod.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every input the fuzzers ever reported (testdata/fuzz/&lt;FuzzTest&gt;/) through its
 * target, and every seed object of testdata/ through the link target, in plain `mvn test`.
 */
class FuzzRegressionTest {
    static final Path FUZZ = Paths.get("testdata/fuzz");

    @TestFactory
    Stream<DynamicNode> findings() throws IOException {
        List<DynamicNode> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FUZZ)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                String name = d.getFileName().toString();
                var target = Targets.ALL.get(name);
                assertFalse(target == null, "testdata/fuzz/" + name + " names no fuzz target");
                List<DynamicNode> cases = new ArrayList<>();
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        cases.add(DynamicTest.dynamicTest(f.getFileName().toString(),
                                () -> target.accept(Files.readAllBytes(f))));
                    }
                }
                out.add(DynamicContainer.dynamicContainer(name, cases));
            }
        }
        return out.stream();
    }

    @TestFactory
    Stream<DynamicTest> seedObjects() throws IOException {
        try (Stream<Path> all = Files.walk(Paths.get("testdata"))) {
            List<Path> objs = all.filter(p -> p.toString().endsWith(".o") && Files.isRegularFile(p)).sorted().toList();
            return objs.stream().map(p -> DynamicTest.dynamicTest(p.toString(),
                    () -> Targets.link(Files.readAllBytes(p))));
        }
    }
}
