package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** etc/insmod.8 as groff renders it (groff-base; skipped without it): words keep their spaces. */
class ManPageTest {
    static String render() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("groff", "-man", "-Tascii", "-P-cbou", "-rLL=300n", "etc/insmod.8").start();
        } catch (IOException e) {
            assumeTrue(false, "groff is not installed (apt-get install groff-base)");
            return null;
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("", err, "groff warnings");
        return text;
    }

    @Test
    void thePersistSentenceKeepsItsSpaces() throws Exception {
        String text = render();
        assertTrue(text.contains("An empty name means persistdir/relpath, where relpath is the module's path "
                + "relative to the search directory it was found in, without .gz, .o or .mod; see persistdir="), text);
    }

    @Test
    void everyOptionIsListedOnce() throws Exception {
        String text = render();
        for (String opt : new String[] {"--help-all", "--ksyms=FILE", "--uname-release=R", "--target=SPEC"}) {
            int n = 0;
            for (String line : text.split("\n")) {
                if (line.strip().equals(opt)) {
                    n++;
                }
            }
            assertEquals(1, n, opt + " entries");
        }
    }
}
