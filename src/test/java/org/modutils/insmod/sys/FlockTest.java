package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flock(2) semantics: a second open file description cannot take LOCK_EX while one holds it. */
class FlockTest {
    @TempDir
    Path tmp;

    @Test
    void aHeldLockExcludesAnotherDescriptorUntilClosed() throws IOException {
        Path f = Files.writeString(tmp.resolve("mod.o"), "x");
        try (Flock held = Flock.exclusive(f)) {
            assertEquals(f, held.file());
            Optional<Flock> second = Flock.tryExclusive(f);
            assertTrue(second.isEmpty(), "LOCK_NB must fail while the lock is held");
        }
        Optional<Flock> after = Flock.tryExclusive(f);
        assertTrue(after.isPresent());
        after.get().close();
        after.get().close(); // idempotent
    }

    @Test
    void aMissingFileIsAnErrorWithTheSystemReason() {
        IOException e = assertThrows(IOException.class, () -> Flock.exclusive(tmp.resolve("nope.o")));
        assertEquals(tmp.resolve("nope.o") + ": No such file or directory", e.getMessage());
    }
}
