package org.modutils.insmod.modern.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modutils.insmod.modern.KoFile;

/**
 * The parameter types decoded from __param through its relocations agree with what kmod's
 * modinfo prints as parmtype (it reads the tags modpost wrote) for the test module.
 */
class ParamDeclsTest {
    @Test
    void typesFromRelocationsMatchModinfo(@TempDir Path dir) throws Exception {
        Path modinfo = Path.of("/usr/sbin/modinfo");
        if (!Files.isExecutable(modinfo)) modinfo = Path.of("/sbin/modinfo");
        assumeTrue(Files.isExecutable(modinfo), "kmod's modinfo is not installed (package kmod)");
        byte[] ko;
        try (InputStream in = getClass().getResourceAsStream("/modern/hello.ko")) {
            ko = in.readAllBytes();
        }
        Path file = dir.resolve("hello.ko");
        Files.write(file, ko);
        Process p = new ProcessBuilder(modinfo.toString(), "-F", "parmtype", file.toString()).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        Map<String, String> expected = new TreeMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) expected.put(line.substring(0, colon), line.substring(colon + 1));
        }
        assumeTrue(!expected.isEmpty(), "the fixture declares no parameters");
        Map<String, String> got = new TreeMap<>();
        KoFile parsed = KoFile.parse(ko);
        for (ParamDecls.Decl d : ParamDecls.of(parsed, ko).values())
            got.put(d.name(), d.isArray() ? "array of " + d.elemType() : d.type());
        assertEquals(expected, got);
        ParamDecls.Decl nums = ParamDecls.of(parsed, ko).get("nums");
        if (nums != null) assertEquals(8, nums.maxCount(), "hello.c declares nums[8]");
    }

    @Test
    void argumentsSplitAsNextArg() {
        List<String> got = new ArrayList<>();
        for (ParamCheck.Arg a : ParamCheck.split("a=1 name=\"two words\" flag  \"q=x y\" e="))
            got.add(a.name() + "|" + a.value());
        assertEquals(List.of("a|1", "name|two words", "flag|null", "q|x y", "e|"), got);
    }
}
