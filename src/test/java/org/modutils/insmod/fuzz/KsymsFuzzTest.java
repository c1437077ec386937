package org.modutils.insmod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes {@link Targets#ksyms}; see the fuzz profile in pom.xml and docs/fuzzing.md. */
class KsymsFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void ksyms(byte[] data) {
        Targets.ksyms(data);
    }
}
