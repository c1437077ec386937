package org.modutils.insmod.elf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The reader's limits refuse no real object: every recorded module of every architecture
 * (also those whose linker is not in this tree yet) and the real 2.4.18 corpus parse, with
 * their symbol tables and relocations decoded and checked.
 */
class RecordedObjectsParseTest {
    @TestFactory
    Stream<DynamicTest> everyRealObjectParses() throws IOException {
        try (Stream<Path> all = Files.walk(Paths.get("testdata"))) {
            return all.filter(p -> p.toString().endsWith(".o") && !p.startsWith("testdata/malformed")
                            && !p.startsWith("testdata/fuzz") && Files.isRegularFile(p))
                    .sorted().toList().stream()
                    .map(p -> DynamicTest.dynamicTest(p.toString(),
                            () -> assertDoesNotThrow(() -> ElfFile.parse(p.toString(), Files.readAllBytes(p)))));
        }
    }
}
