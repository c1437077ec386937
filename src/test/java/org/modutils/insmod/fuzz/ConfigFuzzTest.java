package org.modutils.insmod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes {@link Targets#config}; see the fuzz profile in pom.xml and docs/fuzzing.md. */
class ConfigFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void config(byte[] data) {
        Targets.config(data);
    }
}
