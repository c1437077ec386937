package org.modutils.insmod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes {@link Targets#params}; see the fuzz profile in pom.xml and docs/fuzzing.md. */
class ParamsFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void params(byte[] data) {
        Targets.params(data);
    }
}
