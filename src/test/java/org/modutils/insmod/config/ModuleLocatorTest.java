package org.modutils.insmod.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which file the search picks, rule by rule, in throwaway trees. The expected order comes
 * from modutils 2.4's config.c (search_module_path, config_lstmod) and xftw.c.
 */
class ModuleLocatorTest {
    static final String R = "2.4.20";

    @TempDir
    Path tmp;
    Tree t;
    Map<String, String> env;
    RecordingMessages msgs;

    @BeforeEach
    void setUp() {
        t = new Tree(tmp.resolve("root"));
        t.dir("/");
        env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("MODULECONFIG", "/dev/null");
        msgs = new RecordingMessages();
    }

    private ModuleLocator locator(boolean rootCheck) {
        ModulesConf conf = ModulesConf.read(ConfigContext.of(t.root, env, R, false), msgs);
        return new ModuleLocator(conf, rootCheck, msgs);
    }

    private String find(String name) {
        return locator(true).search(name).map(Path::toString).orElse(null);
    }

    @Test
    void defaultDirectoriesAreSearchedInTheOriginalOrder() {
        t.file("/lib/modules/boot/foo.o");
        t.file("/lib/modules/2.4.20/misc/foo.o");
        t.file("/lib/modules/2.4/foo.o");
        t.file("/lib/modules/misc/foo.o");
        assertEquals(t.at("/lib/modules/boot/foo.o"), find("foo"));
        t.delete("/lib/modules/boot/foo.o");
        assertEquals(t.at("/lib/modules/2.4.20/misc/foo.o"), find("foo"));
        t.delete("/lib/modules/2.4.20/misc/foo.o");
        assertEquals(t.at("/lib/modules/2.4/foo.o"), find("foo"));
        t.delete("/lib/modules/2.4/foo.o");
        assertEquals(t.at("/lib/modules/misc/foo.o"), find("foo"));
        t.delete("/lib/modules/misc/foo.o");
        assertEquals(null, find("foo"));
    }

    @Test
    void typeGuessThenDirectGuessThenWalk() {
        env.put("MODPATH", t.at("/m/misc"));
        t.file("/m/misc/a/foo.o");       // found by the walk ("a" sorts first)
        t.file("/m/misc/foo.o");         // <dir>/<name>
        t.file("/m/misc/misc/foo.o");    // <dir>/<type>/<name>
        assertEquals(t.at("/m/misc/misc/foo.o"), find("foo"));
        t.delete("/m/misc/misc/foo.o");
        assertEquals(t.at("/m/misc/foo.o"), find("foo"));
        t.delete("/m/misc/foo.o");
        assertEquals(t.at("/m/misc/a/foo.o"), find("foo"));
    }

    @Test
    void eachSuffixIsTriedOverTheWholeListBeforeTheNext() {
        env.put("MODPATH", t.at("/one") + ":" + t.at("/two"));
        t.file("/one/foo.o");
        t.file("/two/foo");             // bare name beats .o even in a later directory
        assertEquals(t.at("/two/foo"), find("foo"));
        t.delete("/two/foo");
        assertEquals(t.at("/one/foo.o"), find("foo"));
    }

    @Test
    void suffixOrderGoesOnWithModernExtensions() {
        env.put("MODPATH", t.at("/d"));
        String[] order = {".o", ".o.gz", ".ko", ".ko.gz", ".ko.xz", ".ko.zst"};
        for (String s : order) {
            t.file("/d/foo" + s);
        }
        for (String s : order) {
            assertEquals(t.at("/d/foo" + s), find("foo"), "suffix " + s);
            t.delete("/d/foo" + s);
        }
        assertEquals(null, find("foo"));
    }

    @Test
    void knownSubdirectoriesOfAToplevelTreeGoInHistoricalOrder() {
        String base = "/lib/modules/" + R;
        t.file(base + "/aaa/foo.o");
        t.file(base + "/ipv4/foo.o");
        t.file(base + "/net/foo.o");
        t.file(base + "/kernel/drivers/char/foo.o");
        // kernel first, then net before ipv4 (type-list order, not alphabetical), then others
        assertEquals(t.at(base + "/kernel/drivers/char/foo.o"), find("foo"));
        t.delete(base + "/kernel/drivers/char/foo.o");
        assertEquals(t.at(base + "/net/foo.o"), find("foo"));
        t.delete(base + "/net/foo.o");
        assertEquals(t.at(base + "/ipv4/foo.o"), find("foo"));
        t.delete(base + "/ipv4/foo.o");
        assertEquals(t.at(base + "/aaa/foo.o"), find("foo"));
    }

    @Test
    void withoutAKnownSubdirectoryTheWalkIsAlphabetical() {
        env.put("MODPATH", t.at("/x"));
        t.file("/x/b/foo.o");
        t.file("/x/a/z/foo.o");
        assertEquals(t.at("/x/a/z/foo.o"), find("foo"));
    }

    @Test
    void prunedNamesAreNotWalkedInAToplevelTree() throws IOException {
        String base = "/lib/modules/" + R;
        t.dir(base + "/kernel");
        t.file(base + "/build/foo.o");    // "build" is on the built-in prune list
        t.file(base + "/extra/bar.o");
        assertEquals(null, find("foo"));
        assertEquals(t.at(base + "/extra/bar.o"), find("bar"));
        Path conf = tmp.resolve("prune.conf");
        Files.writeString(conf, "prune extra\n");
        env.put("MODULECONFIG", conf.toString());
        assertEquals(null, find("bar"));
    }

    @Test
    void symlinksAreReportedByTheirRealPathAndDanglingOnesIgnored() {
        env.put("MODPATH", t.at("/links"));
        t.file("/elsewhere/foo.o");
        t.link("/links/sub/foo.o", t.at("/elsewhere/foo.o"));
        t.link("/links/sub/bar.o", t.at("/nowhere/bar.o"));
        assertEquals(t.at("/elsewhere/foo.o"), find("foo"));
        assertEquals(null, find("bar"));
        assertTrue(msgs.errors.isEmpty(), msgs.errors.toString());
    }

    @Test
    void symlinkedDirectoriesAreNotDescended() {
        env.put("MODPATH", t.at("/links"));
        t.file("/elsewhere/foo.o");
        t.link("/links/sub", t.at("/elsewhere"));
        assertEquals(null, find("foo"));
    }

    @Test
    void filesTheOwnerCannotReadAreSkipped() throws IOException {
        env.put("MODPATH", t.at("/a") + ":" + t.at("/b"));
        Path unreadable = t.file("/a/foo.o");
        t.file("/b/foo.o");
        Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---r--r--"));
        assertEquals(t.at("/b/foo.o"), find("foo"));
    }

    @Test
    void modulesNotOwnedByRootAreSkippedUnlessTheCheckIsOff() throws IOException {
        assumeTrue(Tree.runningAsRoot(),
                "not root: cannot chown a file to another user, ownership rule not tested");
        env.put("MODPATH", t.at("/a") + ":" + t.at("/b"));
        Path userOwned = t.file("/a/foo.o");
        t.file("/b/foo.o");
        Files.setAttribute(userOwned, "unix:uid", 1234);

        ModuleLocator checking = locator(true);
        Optional<Path> p = checking.locate("foo", false);
        assertEquals(Optional.of(Path.of(t.at("/b/foo.o"))), p);
        assertEquals(List.of(t.at("/a/foo.o") + " is not owned by root"), msgs.errors);
        assertEquals(List.of("Using " + t.at("/b/foo.o")), msgs.infos);

        msgs = new RecordingMessages();
        Optional<Path> q = locator(false).locate("foo", false);
        assertEquals(Optional.of(userOwned), q);
        assertTrue(msgs.errors.isEmpty());

        // only a user-owned copy: nothing found, both messages
        msgs = new RecordingMessages();
        Files.delete(Path.of(t.at("/b/foo.o")));
        assertEquals(Optional.empty(), locator(true).locate("foo", false));
        assertEquals(List.of(t.at("/a/foo.o") + " is not owned by root", "foo: no module by that name found"),
                msgs.errors);
    }

    @Test
    void rootOwnedFilesPassTheCheck() throws IOException {
        assumeTrue(Tree.runningAsRoot(), "not root: files created here are not owned by root");
        env.put("MODPATH", t.at("/a"));
        t.file("/a/foo.o");
        assertEquals(Optional.of(Path.of(t.at("/a/foo.o"))), locator(true).search("foo"));
        assertTrue(msgs.errors.isEmpty());
    }

    @Test
    void modpathExpandsPercentSAndReplacesTheDefaults() {
        env.put("MODPATH", "::" + t.at("/mods/%s/extra") + ":" + t.at("/plain") + ":");
        t.file("/lib/modules/boot/foo.o");
        ModulesConf conf = ModulesConf.read(ConfigContext.of(t.root, env, R, false), msgs);
        assertEquals(List.of(new SearchPath("extra", t.at("/mods/2.4.20/extra")),
                new SearchPath("plain", t.at("/plain"))), conf.paths());
        assertEquals(null, find("foo"));
        t.file("/mods/2.4.20/extra/foo.o");
        assertEquals(t.at("/mods/2.4.20/extra/foo.o"), find("foo"));
    }

    @Test
    void emptyModpathMeansNothingToSearch() {
        env.put("MODPATH", "");
        t.file("/lib/modules/boot/foo.o");
        ModuleLocator l = locator(true);
        assertEquals(Optional.empty(), l.locate("foo", false));
        assertEquals(List.of("foo: no module by that name found"), msgs.errors);
        assertTrue(msgs.infos.isEmpty());
    }

    @Test
    void argumentsWithSlashOrDotAreNotSearched() {
        t.file("/lib/modules/boot/foo.o");
        assertFalse(ModuleLocator.searches("foo.o"));
        assertFalse(ModuleLocator.searches("./foo"));
        assertTrue(ModuleLocator.searches("foo"));
        ModuleLocator l = locator(true);
        assertEquals(Optional.of(Path.of("foo.o")), l.locate("foo.o", false));
        assertTrue(msgs.silent());
        assertEquals(Optional.of(Path.of("foo.o")), l.locate("foo.o", true));
        assertEquals(List.of("Using foo.o"), msgs.infos);
    }

    @Test
    void aSearchedModuleIsAnnouncedWithUsing() {
        t.file("/lib/modules/boot/foo.o");
        assertEquals(Optional.of(Path.of(t.at("/lib/modules/boot/foo.o"))), locator(true).locate("foo", false));
        assertEquals(List.of("Using " + t.at("/lib/modules/boot/foo.o")), msgs.infos);
    }

    @Test
    void globNamesMatchInTheWalk() {
        env.put("MODPATH", t.at("/g"));
        t.file("/g/sub/snd-foo.o");
        assertEquals(t.at("/g/sub/snd-foo.o"), find("snd*"));
        assertEquals(null, find("snd$x"));
    }

    @Test
    void aSearchDirectoryThatIsAFileStopsTheTryWithAnError() {
        env.put("MODPATH", t.at("/notadir") + ":" + t.at("/good"));
        t.write("/notadir", "x");
        t.file("/good/foo.o");
        assertEquals(null, find("foo"));
        assertTrue(msgs.errors.contains(t.at("/notadir") + " is not a directory"), msgs.errors.toString());
    }

    @Test
    void pathLinesInTheConfigAreSearchedWithTheirTag() throws IOException {
        Path conf = tmp.resolve("m.conf");
        Files.writeString(conf, "path[zzz]=/opt/mods\n");
        env.put("MODULECONFIG", conf.toString());
        t.file("/opt/mods/zzz/foo.o");   // the <dir>/<tag>/<name> guess
        t.file("/opt/mods/a/foo.o");     // what the alphabetical walk would find first
        assertEquals(t.at("/opt/mods/zzz/foo.o"), find("foo"));
    }
}
