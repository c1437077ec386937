package org.modutils.insmod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differences from the original found side by side (issue 15), each against the original's
 * behaviour: the recorded cases of testdata/oracle with the command line varied, or what
 * modutils 2.4.16's insmod.c and obj_load.c do, as the comments say.
 */
class FidelityTest {
    static final Path I386 = Paths.get("testdata/oracle/i386");

    @TempDir
    Path tmp;

    record Run(int rc, String out, String err) {}

    static Run run(boolean interactive, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("--ksyms=testdata/oracle/ksyms/ksyms32.txt",
                "--uname-release=2.4.27", "--uname-version=#1 Sat Jan 1 00:00:00 UTC 2005"));
        argv.addAll(List.of(args));
        return runRaw(interactive, argv.toArray(new String[0]));
    }

    static Run runRaw(boolean interactive, String... argv) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Insmod.run(argv, new Insmod.Host(new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1), OracleTest.runEnv()), false, interactive);
        return new Run(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    static String recorded(String caseName, String file) throws IOException {
        return Files.readString(I386.resolve(caseName).resolve(file), StandardCharsets.ISO_8859_1);
    }

    /** The recorded text with the module path as typed, except in the map's symbol lines (realpath). */
    static String typed(String text, String path, String asTyped) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("(?<=\n)")) {
            sb.append(line.matches("^[0-9a-f]{8} .*\n?") ? line : line.replace(path, asTyped));
        }
        return sb.toString();
    }

    @Test
    void aDoubleSlashInTheModulePathStaysInEveryMessage() throws IOException {
        // error_file and f->filename are the argument as typed; only the _O symbol is realpath()'s.
        String obj = OracleTest.placeObject("i386", "oldver.o").toString();
        String slashes = obj.replace("/oldver.o", "//oldver.o");
        Path blob = tmp.resolve("blob");
        Run forced = run(false, "-n", "-m", "-O", blob.toString(), "-f", slashes);
        assertEquals(typed(recorded("oldver-f", "stdout"), obj, slashes), forced.out());
        assertEquals("", forced.err());
        Run refused = run(false, "-n", "-m", "-O", blob.toString(), slashes);
        assertEquals(typed(recorded("oldver", "stderr"), obj, slashes), refused.err());
        assertEquals(1, refused.rc());
        String text = OracleTest.placeObject("i386", "hello.c").toString();
        Run notElf = run(false, "-n", "-m", "-O", blob.toString(), text.replace("/hello.c", "//hello.c"));
        assertEquals(typed(recorded("cli-notelf", "stderr"), text, text.replace("/hello.c", "//hello.c")),
                notElf.err());
    }

    @Test
    void standardInputIsNeverLoadedByADryRun() throws IOException {
        // '-' is ours (the 2.6+ path); -n and -p must not hand anything to the running kernel.
        for (String flag : new String[] {"-n", "-p"}) {
            Run r = run(false, flag, "-");
            assertEquals(1, r.rc());
            assertTrue(r.err().startsWith("insmod: -: a module on standard input"), r.err());
        }
    }

    @Test
    void anEmptyBlobNameIsNoFile() throws IOException {
        // init_module(): open("", O_WRONLY|O_CREAT|O_TRUNC) is ENOENT; error("open %s failed %m").
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        Run r = run(false, "-n", "-O", "", obj);
        assertEquals(obj + ": open  failed No such file or directory\n", r.err());
        assertEquals("", r.out());
        assertEquals(1, r.rc());
    }

    @Test
    void getoptMessagesAreGlibcsAndTheUsageFollows() throws IOException {
        String usage = recorded("cli-h", "stderr");
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        Run bogus = run(false, "-n", "--bogus=1", obj);
        assertEquals("insmod: unrecognized option '--bogus=1'\n" + usage, bogus.err());
        assertEquals(1, bogus.rc());
        Run target = run(false, "-n", "--ta=x", obj);
        assertEquals("insmod: unrecognized option '--ta=x'\n" + usage, target.err());
        Run ksym = run(false, "-n", "--ksym=x", obj);
        assertEquals("insmod: option '--ksymoops' doesn't allow an argument\n" + usage, ksym.err());
        Run all = run(false, "--=", obj);
        assertTrue(all.err().startsWith("insmod: option '--=' is ambiguous; possibilities: '--force' '--help' "
                + "'--autoclean'"), all.err());
        assertTrue(all.err().endsWith("'--name' '--blob' '--prefix'\n" + usage), all.err());
        for (String ours : new String[] {"ksyms", "uname", "target", "verify", "syscall", "help-all", "numeric"}) {
            assertFalse(all.err().contains("'--" + ours), all.err());
        }
    }

    @Test
    void theOriginalsTextExceptAtATerminal() throws IOException {
        String usage = recorded("cli-h", "stderr");
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        assertEquals(usage, run(false, "-n", "-h", obj).err());
        assertEquals(usage + OptionTable.USAGE_MORE, run(true, "-n", "-h", obj).err());
        assertEquals(recorded("cli-badopt", "stderr"), run(false, "-n", "-Z", obj).err());
        assertEquals(recorded("cli-badopt", "stderr") + OptionTable.USAGE_MORE, run(true, "-n", "-Z", obj).err());
        // case 'V': fputs("insmod version " MODUTILS_VERSION "\n", stderr), then on; no module: usage.
        assertEquals("insmod version 2.4.16\n" + usage, runRaw(false, "-V").err());
        Run tty = runRaw(true, "-V");
        assertEquals("insmod version 2.4.16\n" + OptionTable.VERSION_MORE + usage + OptionTable.USAGE_MORE, tty.err());
        assertTrue(OptionTable.VERSION_MORE.contains("Java") && OptionTable.USAGE_MORE.contains("--help-all"));
        Run help = runRaw(false, "--help-all");
        assertEquals(0, help.rc());
        assertTrue(help.out().contains("--uname-release") && help.out().contains("--help-all"), help.out());
    }

    @Test
    void argumentBytesReachMessagesAsTheyWere() throws IOException {
        // process_module_arguments: strtoul stops at 0xE9, which is neither ',' nor the end:
        // error("invalid argument syntax for %s: '%c'", key, *input), the byte itself.
        String obj = OracleTest.placeObject("i386", "hello.o").toString();
        Run r = run(false, "-n", obj, "foo=\u00e9");
        assertEquals(obj + ": invalid argument syntax for foo: '\u00e9'\n", r.err());
        assertEquals(1, r.rc());
    }

    @Test
    void ksymsWithoutTheReleaseSaysWhichReleaseWasCompared() throws IOException {
        String obj = OracleTest.placeObject("i386", "oldver.o").toString();
        String host = Files.readString(Paths.get("/proc/sys/kernel/osrelease")).strip();
        Run r = runRaw(false, "--ksyms=testdata/oracle/ksyms/ksyms32.txt", "-n", obj);
        assertEquals(1, r.rc());
        String mismatch = obj + ": kernel-module version mismatch\n\t" + obj
                + " was compiled for kernel version 2.4.20\n\twhile this kernel is version " + host + ".\n";
        assertEquals(mismatch + obj + ": --ksyms was given without --uname-release, so the release compared is this "
                + "machine's (" + host + "); give the table's kernel release with --uname-release=R\n", r.err());
        // With the release given, the original's message alone (the recorded case).
        assertEquals(recorded("oldver", "stderr"), run(false, "-n", obj).err());
    }

    @Test
    void aFileWithoutTheElfMagicIsNotAnElfFileWhateverItsLength() throws IOException {
        for (int len : new int[] {1, 3, 12, 40, 63, 200}) {
            Path f = tmp.resolve("text" + len + ".o");
            Files.write(f, "#include <x>\n".repeat(20).substring(0, len).getBytes(StandardCharsets.US_ASCII));
            Run r = run(false, "-n", f.toString());
            assertEquals(f + ": " + f + " is not an ELF file\n", r.err(), len + " bytes");
        }
        for (int len : new int[] {0, 2, 10}) {
            Path f = tmp.resolve("elf" + len + ".o");
            byte[] b = java.util.Arrays.copyOf(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0}, len);
            Files.write(f, b);
            Run r = run(false, "-n", f.toString());
            assertEquals(f + ": cannot read ELF header from " + f + "\n", r.err(), len + " bytes");
        }
    }
}
