package org.modutils.insmod.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Name lookup through depmod's binary indexes without kmod installed: a small module directory
 * whose indexes kmod's depmod wrote (src/test/resources/tools/README.md), and kmod's modinfo's
 * recorded answers for module names, aliases, built-in modules and their aliases, -m, -F, -0 and
 * a bad pattern.
 */
class ModinfoIndexTest {
    @Test
    void recordedLookups() throws IOException, URISyntaxException {
        Path root = Path.of(ModinfoIndexTest.class.getResource("/tools/tree").toURI());
        String all = new String(ModinfoTest.resource("/tools/tree-cases.txt"), StandardCharsets.ISO_8859_1)
                .replace("@ROOT@", root.toString());
        int cases = 0;
        for (int at = all.indexOf("### "); at >= 0; at = all.indexOf("### ", at)) {
            int eol = all.indexOf('\n', at);
            String args = all.substring(at + 4, eol);
            int err = all.indexOf("--- err\n", eol);
            int rc = all.indexOf("--- rc ", err);
            int end = all.indexOf('\n', rc);
            List<String> argv = new ArrayList<>(List.of("-b", root.toString(), "-k", "6.1.0-mini"));
            for (String a : args.split(" ")) argv.add(a.startsWith("'") ? a.substring(1, a.length() - 1) : a);
            ToolRun r = ToolRun.modinfo("/", argv);
            assertEquals(all.substring(eol + 1, err), r.out, args);
            assertEquals(all.substring(err + 8, rc), r.err, args);
            assertEquals(Integer.parseInt(all.substring(rc + 7, end)), r.status, args);
            cases++;
            at = end;
        }
        assertTrue(cases >= 15, cases + " cases");
    }
}
