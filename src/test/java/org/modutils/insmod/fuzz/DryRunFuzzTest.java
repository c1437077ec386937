package org.modutils.insmod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes {@link Targets#dryRun}: {@code insmod -n} on a fuzzed .ko; see docs/fuzzing.md. */
class DryRunFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void dryRun(byte[] data) {
        Targets.dryRun(data);
    }
}
