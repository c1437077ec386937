package org.modutils.insmod.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config reader against modutils 2.4's config.c rules for insmod (all = 0). */
class ModulesConfTest {
    static final String R = "2.4.20";

    @TempDir
    Path tmp;
    Tree t;
    Map<String, String> env;
    RecordingMessages msgs;
    boolean autoclean;

    @BeforeEach
    void setUp() {
        t = new Tree(tmp.resolve("root"));
        t.dir("/etc");
        env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        msgs = new RecordingMessages();
    }

    private ModulesConf read() {
        return ModulesConf.read(ConfigContext.of(t.root, env, R, autoclean), msgs);
    }

    /** Writes /etc/modules.conf in the tree and reads it. */
    private ModulesConf conf(String text) {
        t.write("/etc/modules.conf", text);
        return read();
    }

    private List<String> dirs(ModulesConf c) {
        List<String> l = new ArrayList<>();
        for (SearchPath p : c.paths()) {
            l.add(p.dir());
        }
        return l;
    }

    private List<SearchPath> defaults() {
        List<SearchPath> l = new ArrayList<>();
        l.add(new SearchPath("boot", t.at("/lib/modules/boot")));
        l.add(new SearchPath("toplevel", t.at("/lib/modules/2.4.20")));
        l.add(new SearchPath("toplevel", t.at("/lib/modules/2.4")));
        for (String type : List.of("kernel", "fs", "net", "scsi", "block", "cdrom", "ipv4", "ipv6", "sound",
                "fc4", "video", "misc", "pcmcia", "atm", "usb", "ide", "ieee1394", "mtd")) {
            l.add(new SearchPath(type, t.at("/lib/modules/" + type)));
        }
        return l;
    }

    @Test
    void withoutAnyFileTheDefaultsStand() {
        ModulesConf c = read();
        assertEquals(defaults(), c.paths());
        assertEquals(Optional.empty(), c.file());
        assertEquals("/var/lib/modules/persist", c.persistDir());
        assertEquals(Optional.empty(), c.insmodOpt());
        assertFalse(c.failed());
        assertTrue(msgs.silent());
    }

    @Test
    void moduleconfigWinsOverModuleconfWinsOverEtc() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.conf"), "persistdir=/a\n");
        Path b = Files.writeString(tmp.resolve("b.conf"), "persistdir=/b\n");
        t.write("/etc/modules.conf", "persistdir=/etc\n");
        assertEquals("/etc", read().persistDir());
        env.put("MODULECONF", b.toString());
        assertEquals("/b", read().persistDir());
        env.put("MODULECONFIG", a.toString());
        ModulesConf c = read();
        assertEquals("/a", c.persistDir());
        assertEquals(Optional.of(a), c.file());
        env.put("MODULECONFIG", "");     // empty counts as unset
        assertEquals("/b", read().persistDir());
    }

    @Test
    void aNamedFileThatCannotBeOpenedFailsButKeepsTheDefaults() {
        env.put("MODULECONFIG", tmp.resolve("missing.conf").toString());
        ModulesConf c = read();
        assertTrue(c.failed());
        assertEquals(List.of("Can't open " + tmp.resolve("missing.conf"), "Failed handle configuration"), msgs.errors);
        assertEquals(defaults(), c.paths());
    }

    @Test
    void oldNameIsReadWithTheDeprecationWarning() {
        t.write("/etc/conf.modules", "persistdir=/old\n");
        ModulesConf c = read();
        assertEquals("/old", c.persistDir());
        String o = t.at("/etc/conf.modules");
        String n = t.at("/etc/modules.conf");
        assertEquals(List.of("Warning: modutils is reading from " + o + " because\n"
                + "         " + n + " does not exist.  The use of " + o + " is\n"
                + "         deprecated, please rename " + o + " to " + n + "\n"
                + "         as soon as possible.  Command\n"
                + "         mv " + o + " " + n), msgs.warnings);
        assertTrue(msgs.errors.isEmpty());
    }

    @Test
    void bothNamesWarnInTheThreeOriginalWays() throws IOException {
        String o = t.at("/etc/conf.modules");
        String n = t.at("/etc/modules.conf");
        t.write("/etc/modules.conf", "");
        t.write("/etc/conf.modules", "");
        read();
        assertEquals(List.of("Warning: modutils is reading from " + n + " and\n"
                + "         ignoring " + o + ".  The use of " + o + " is deprecated,\n"
                + "         please remove " + o + " as soon as possible.  Command\n"
                + "           rm " + o), msgs.warnings);

        t.delete("/etc/conf.modules");
        t.link("/etc/conf.modules", n);
        msgs = new RecordingMessages();
        read();
        assertEquals(List.of("Warning: You do not need a link from " + o + " to\n"
                + "         " + n + ".  The use of " + o + " is deprecated,\n"
                + "         please remove " + o + " as soon as possible.  Command\n"
                + "           rm " + o), msgs.warnings);

        t.delete("/etc/conf.modules");
        t.delete("/etc/modules.conf");
        t.write("/etc/conf.modules", "");
        t.link("/etc/modules.conf", o);
        msgs = new RecordingMessages();
        read();
        assertEquals(List.of("Warning: You do not need a link from " + n + " to\n"
                + "         " + o + ".  The use of " + o + " is deprecated,\n"
                + "         please remove " + n + " and rename " + o + "\n"
                + "         to " + n + " as soon as possible.  Commands.\n"
                + "           rm " + n + "\n"
                + "           mv " + o + " " + n), msgs.warnings);
    }

    @Test
    void firstPathLineDropsTheDefaultsAndDefaultTagIsMisc() {
        ModulesConf c = conf("path=/a\npath[boot]=/b /c\n");
        assertEquals(List.of(new SearchPath("misc", t.at("/a")), new SearchPath("boot", t.at("/b")),
                new SearchPath("boot", t.at("/c"))), c.paths());
    }

    @Test
    void keepBeforeThePathLinesKeepsTheDefaults() {
        ModulesConf c = conf("keep\npath[x]=/a\n");
        List<SearchPath> expect = new ArrayList<>(defaults());
        expect.add(new SearchPath("x", t.at("/a")));
        assertEquals(expect, c.paths());
        ModulesConf late = conf("path[x]=/a\nkeep\npath[y]=/b\n");
        assertEquals(List.of(t.at("/a"), t.at("/b")), dirs(late));
    }

    @Test
    void keepAlsoProtectsAModpathList() {
        env.put("MODPATH", "/mp");
        assertEquals(List.of("/mp", t.at("/a")), dirs(conf("keep\npath=/a\n")));
        assertEquals(List.of(t.at("/a")), dirs(conf("path=/a\n")));
    }

    @Test
    void aPathWithBlanksAroundTheEqualSignIsNotAnAssignment() {
        ModulesConf c = conf("path[x] = /a\n");
        assertEquals(defaults(), c.paths());
        assertTrue(msgs.silent());
    }

    @Test
    void invalidLinesAndModprobeKeywordsAreIgnoredSilently() {
        ModulesConf c = conf("alias eth0 ne\noptions ne io=0x300\nthis is garbage\nbelow a b\n=\n");
        assertEquals(defaults(), c.paths());
        assertFalse(c.failed());
        assertTrue(msgs.silent());
    }

    @Test
    void commentsAndContinuationLines() {
        ModulesConf c = conf("# comment\npath[a]=/x \\\n      /y   # trailing\n"
                + "insmod_opt=-a\\\\\npersistdir=/p\\\\\n");
        assertEquals(List.of(new SearchPath("a", t.at("/x")), new SearchPath("a", t.at("/y"))), c.paths());
        // a doubled backslash at the end stands for one and ends the line ...
        assertEquals(Optional.of("-a\\"), c.insmodOpt());
        // ... which expansion then drops, as split_line does outside quotes
        assertEquals("/p", c.persistDir());
    }

    @Test
    void builtinBackquotesAndGlobsInPaths() {
        t.dir("/lib/modules/2.4.20/b");
        t.dir("/lib/modules/2.4.20/a");
        ModulesConf c = conf("path[t]=/lib/modules/`uname -r`/*\npath[k]=/k/` kernelversion `\n");
        assertEquals(List.of(t.at("/lib/modules/2.4.20/a"), t.at("/lib/modules/2.4.20/b"), t.at("/k/2.4")),
                dirs(c));
        assertTrue(msgs.silent());
    }

    @Test
    void shellExpansionDefineAndBackquotedCommands() {
        env.put("MYMODS", "/from/env");
        ModulesConf c = conf("define SUB sub`echo dir`\n"
                + "path[a]=$MYMODS\n"
                + "path[b]=/base/${SUB}\n"
                + "path[c]=`echo /cmd/out`\n");
        assertEquals(List.of(t.at("") + "/from/env", t.at("/base/subdir"), t.at("") + "/cmd/out"), dirs(c));
    }

    @Test
    void ifElseifElseEndif() {
        ModulesConf c = conf("if `uname -r` == 2.4.19\n  path[a]=/a\n"
                + "elseif `kernelversion` == 2.4\n  path[b]=/b\n"
                + "elseif 1\n  path[c]=/c\n"
                + "else\n  path[d]=/d\nendif\n"
                + "if -n 0x10 > 9\n  path[e]=/e\nendif\n"
                + "if 010 > 9\n  path[f]=/f\nendif\n"
                + "if ! 0\n  path[g]=/g\nelse\n  path[h]=/h\nendif\n"
                + "if false\n  path[i]=/i\nelse\n  path[j]=/j\nendif\n");
        assertEquals(List.of(t.at("/b"), t.at("/e"), t.at("/g"), t.at("/j")), dirs(c));
        assertFalse(c.failed());
    }

    @Test
    void ifFileAndAutoclean() throws IOException {
        Path exists = Files.writeString(tmp.resolve("exists"), "");
        String text = "if -f " + exists + "\n path[a]=/a\nendif\n"
                + "if -f " + tmp.resolve("nope") + "\n path[b]=/b\nendif\n"
                + "if -k\n path[k]=/k\nelse\n path[n]=/n\nendif\n"
                + "if ! -k\n path[m]=/m\nendif\n";
        assertEquals(List.of(t.at("/a"), t.at("/n"), t.at("/m")), dirs(conf(text)));
        autoclean = true;
        assertEquals(List.of(t.at("/a"), t.at("/k")), dirs(conf(text)));
    }

    @Test
    void linesInsideAFalseBlockStayOffEvenUnderATrueIf() {
        ModulesConf c = conf("if 0\n if 1\n  path[a]=/a\n else\n  path[b]=/b\n endif\nelse\n path[c]=/c\nendif\n");
        assertEquals(List.of(t.at("/c")), dirs(c));
    }

    @Test
    void unbalancedIfsAreErrors() {
        ModulesConf c = conf("path=/a\nendif\npath=/b\n");
        assertTrue(c.failed());
        assertEquals(List.of("unmatched endif in line 2", "Failed handle configuration"), msgs.errors);
        assertEquals(List.of(t.at("/a")), dirs(c));

        msgs = new RecordingMessages();
        conf("else\n");
        assertEquals("else without if in line 1", msgs.errors.get(0));

        msgs = new RecordingMessages();
        conf("\n\nelseif 1\n");
        assertEquals("elseif without if in line 3", msgs.errors.get(0));

        msgs = new RecordingMessages();
        c = conf("if 1\npath=/a\n");
        assertEquals(List.of("missing endif at " + t.at("/etc/modules.conf") + " EOF", "Failed handle configuration"),
                msgs.errors);
    }

    @Test
    void includeReadsTheFileAndAGlobReadsEveryMatch() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("conf.d"));
        Files.writeString(d.resolve("20.conf"), "path[b]=/b\n");
        Files.writeString(d.resolve("10.conf"), "keep\npath[a]=/a\n");
        Path single = Files.writeString(tmp.resolve("single.conf"), "keep\npath[s]=/s\n");
        ModulesConf c = conf("path[top]=/top\ninclude " + single + "\ninclude " + d + "/*.conf\n");
        // the file that says keep adds; 20.conf has no keep and, as in the original, starts over
        assertEquals(List.of(t.at("/b")), dirs(c));
        assertTrue(msgs.silent(), msgs.errors.toString());

        Files.writeString(d.resolve("20.conf"), "keep\npath[b]=/b\n");
        c = conf("path[top]=/top\ninclude " + single + "\ninclude " + d + "/*.conf\n");
        assertEquals(List.of(t.at("/top"), t.at("/s"), t.at("/a"), t.at("/b")), dirs(c));
    }

    @Test
    void aMissingIncludeIsReportedAndReadingGoesOn() {
        String missing = tmp.resolve("missing.conf").toString();
        ModulesConf c = conf("include " + missing + "\npersistdir=/after\n");
        assertEquals(List.of("Can't open " + missing, "include " + missing + " failed"), msgs.errors);
        assertEquals("/after", c.persistDir());
        assertFalse(c.failed());
    }

    @Test
    void persistdirInsmodOptAndTheAddPrefix() {
        env.put("PD", "/var/persist");
        ModulesConf c = conf("persistdir=$PD\ninsmod_opt=-k -v\ninsmod_opt= -L   -q\nadd prune foo bar\n");
        assertEquals("/var/persist", c.persistDir());
        assertEquals(Optional.of("-L   -q"), c.insmodOpt());
        assertEquals(List.of("-k -v", "-L   -q"), c.insmodOpts());
        assertTrue(c.pruneList().contains("foo"));
        assertFalse(c.pruneList().contains("bar"));
        assertTrue(c.pruneList().containsAll(ModulesConf.DEFAULT_PRUNE));
    }

    @Test
    void theReaderDoesNotChangeTheCallersEnvironment() {
        conf("define NEWVAR 1\n");
        assertFalse(env.containsKey("NEWVAR"));
    }

    @Test
    void theShippedExampleReadsWithoutComplaint() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        env.put("MODULECONFIG", Path.of(base, "etc", "modules.conf").toString());
        ModulesConf c = read();
        assertFalse(c.failed());
        assertTrue(msgs.errors.isEmpty(), msgs.errors.toString());
        List<SearchPath> expect = new ArrayList<>(defaults());
        expect.add(new SearchPath("boot", t.at("/lib/modules/boot")));
        expect.add(new SearchPath("toplevel", t.at("/lib/modules/2.4.20")));
        assertEquals(expect, c.paths().subList(0, expect.size()));
        assertTrue(c.paths().contains(new SearchPath("extra", t.at("/opt/site-modules/2.4"))), c.paths().toString());
        assertEquals(Optional.of("-k"), c.insmodOpt());
        assertTrue(c.pruneList().contains("firmware"));
    }

    @Test
    void oddBytesInTheFileNeverThrow() {
        ModulesConf c = conf("include /tmp/a\u0000b\nif -f /x\u0000y\npath=/p\nendif\npath[q]=/caf\u00e9\n");
        assertEquals(List.of("Can't open /tmp/a\u0000b", "include /tmp/a\u0000b failed"), msgs.errors);
        assertEquals(List.of(t.at("/caf\u00e9")), dirs(c));
        new ModuleLocator(c, true, msgs).search("foo");
    }
}
