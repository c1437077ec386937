package org.modutils.insmod.modern;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** src/test/resources/modern: real modules and facts about them from independent tools. */
final class Fixtures {
    private Fixtures() {}

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/modern/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path copy(String name, Path dir) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes(name));
        return p;
    }

    /** expected.properties, written by scripts/make-test-fixtures.sh from modinfo, readelf, openssl. */
    static String expected(String key) {
        Properties p = new Properties();
        try (InputStream in = Fixtures.class.getResourceAsStream("/modern/expected.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty(key);
        if (v == null) throw new IllegalStateException("no " + key + " in expected.properties");
        return v;
    }
}
