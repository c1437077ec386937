package org.modutils.insmod.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modutils.insmod.tools.Modprobe;

/**
 * modprobe's dry runs against kmod's own modprobe (Debian package kmod) on the real Debian 6.1
 * tree (VMTEST_CACHE): --show-depends for every module of the tree and for aliases, then a
 * modprobe.d of our own (alias, options, install, remove, blacklist, softdep, a bad line)
 * under -n -v, -r, -R, -q and --show-depends. Same stdout, stderr and exit status.
 */
class ModprobeKmodTest {
    private static final String CACHE = System.getenv().getOrDefault("VMTEST_CACHE", "/var/cache/vmtest");
    private String kmod;
    private Path base;
    private Path tmp;

    @BeforeEach
    void setUp() throws IOException {
        String depmod = DepTrees.kmodDepmod();
        kmod = depmod == null ? null : Path.of(depmod).resolveSibling("modprobe").toString();
        assumeTrue(kmod != null && Files.isExecutable(Path.of(kmod)),
                "no kmod modprobe (scripts/vm/setup.sh provides one in the VM cache, or apt-get install kmod)");
        base = Path.of(CACHE, "kernel-" + DepTrees.KVER);
        assumeTrue(Files.isRegularFile(base.resolve("lib/modules/" + DepTrees.KVER + "/modules.dep.bin")),
                "no Debian 6.1 module tree in " + CACHE + " (run scripts/vm/setup.sh)");
        tmp = Files.createTempDirectory("modprobe-kmod");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (tmp != null) DepTrees.delete(tmp);
    }

    private void compare(List<String> args) throws IOException {
        List<String> common = new ArrayList<>(List.of("-S", DepTrees.KVER, "-d", base.toString()));
        common.addAll(args);
        List<String> cmd = new ArrayList<>(List.of(kmod));
        cmd.addAll(common);
        DepTrees.Run theirs = DepTrees.exec(cmd);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int st;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            st = Modprobe.run(common.toArray(new String[0]), o, e);
        }
        String what = String.join(" ", args);
        assertEquals(theirs.out(), out.toString(StandardCharsets.UTF_8), what);
        assertEquals(theirs.err(), err.toString(StandardCharsets.UTF_8), what);
        assertEquals(theirs.status(), st, what);
    }

    @Test
    void showDependsForEveryModuleOfTheTree() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(base.resolve("lib/modules/" + DepTrees.KVER + "/modules.dep"))) {
            String path = line.substring(0, line.indexOf(':'));
            String file = path.substring(path.lastIndexOf('/') + 1);
            names.add(file.substring(0, file.indexOf('.')));
        }
        for (int i = 0; i < names.size(); i += 500) {
            List<String> args = new ArrayList<>(List.of("-a", "--show-depends"));
            args.addAll(names.subList(i, Math.min(names.size(), i + 500)));
            compare(args);
        }
    }

    @Test
    void showDependsForAliases() throws IOException {
        compare(List.of("-a", "-D", "crc32c", "fs-vfat", "char-major-10-229", "devname:fuse", "symbol:fat_attach",
                "pci:v00008086d00001572sv*sd*bc*sc*i*", "acpi*:LNXPWRBN:*", "usb:v05ACp1402d*dc*dsc*dp*ic*isc*ip*in*",
                "crypto-md5", "amd_uncore", "nfsd", "cifs"));
        compare(List.of("-D", "nosuch"));
        compare(List.of("-q", "-D", "nosuch"));
        compare(List.of("-R", "crc32c"));
    }

    @Test
    void ourModprobeD() throws IOException {
        Path conf = tmp.resolve("test.conf");
        Files.writeString(conf, "# modprobe.d of the test\n"
                + "alias myfs vfat\n"
                + "alias my-crc* crc32c_generic\n"
                + "options fat codepage=850\n"
                + "options fat  iocharset=utf8\n"
                + "options vfat shortname=mixed\n"
                + "install msdos /bin/true \\\n  --msdos $CMDLINE_OPTS\n"
                + "remove msdos /bin/true\n"
                + "blacklist nls_utf8\n"
                + "alias utf8-nls nls_utf8\n"
                + "softdep vfat pre: nls_cp437 post: nls_iso8859-1\n"
                + "frobnicate vfat\n");
        for (String m : List.of("vfat", "myfs", "my-crc32c", "msdos", "utf8-nls", "nls_utf8", "fat")) {
            compare(List.of("-C", conf.toString(), "-D", m));
            compare(List.of("-C", conf.toString(), "-n", "-v", m, "extra=1", "spaced=a b"));
            compare(List.of("-C", conf.toString(), "-n", "-v", "-r", m));
            compare(List.of("-C", conf.toString(), "-n", "-v", "-i", m));
            compare(List.of("-C", conf.toString(), "-n", "-v", "-b", m));
        }
    }
}
