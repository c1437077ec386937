package org.modutils.insmod.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Byte-string file names and Paths, through the locale's charset. */
class FileNamesTest {
    @Test
    void asciiNamesArePathsAsTheyAre() {
        assertEquals(Path.of("/tmp/a//b.o"), FileNames.path("/tmp/a//b.o"));
        assertEquals("/tmp/a/b.o", FileNames.name(Path.of("/tmp/a/b.o")));
    }

    @Test
    void aUtf8NameRoundTripsUnderAUtf8Locale() {
        assumeTrue(FileNames.platformCharset().equals(StandardCharsets.UTF_8), "the JVM's locale is not UTF-8");
        String bytes = new String("/tmp/\u00e4.o".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        Path p = FileNames.path(bytes);
        assertEquals("/tmp/\u00e4.o", p.toString());
        assertEquals(bytes, FileNames.name(p));
    }

    @Test
    void aNameThatIsNoTextInTheLocaleSaysSo() {
        // 0xE4 alone is valid neither in UTF-8 nor in ASCII (under ISO-8859-x locales it would be).
        assumeTrue(!FileNames.platformCharset().name().startsWith("ISO-8859"), "a Latin locale spells every byte");
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> FileNames.path("/tmp/n\u00e4me"));
        assertEquals("/tmp/n\u00e4me", e.getInput());
    }
}
