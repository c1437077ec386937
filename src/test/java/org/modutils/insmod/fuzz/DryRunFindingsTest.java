package org.modutils.insmod.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replays what DryRunFuzzTest found (src/test/resources/dryrun-fuzz-findings) through its target.
 * They live outside testdata/fuzz because ModinfoKmodParityTest compares kmod's modinfo on every
 * file there, and these inputs show a modinfo difference that is not the dry run's (reported).
 */
class DryRunFindingsTest {
    @Test
    void everyFindingNowPasses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/dryrun-fuzz-findings"))) {
            files = s.sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 4, "the findings are missing");
        for (Path f : files) {
            Targets.dryRun(Files.readAllBytes(f));
        }
    }
}
