package org.modutils.insmod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes {@link Targets#link}; see the fuzz profile in pom.xml and docs/fuzzing.md. */
class InsmodFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void link(byte[] data) {
        Targets.link(data);
    }
}
