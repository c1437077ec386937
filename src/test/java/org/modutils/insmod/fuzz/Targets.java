package org.modutils.insmod.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.config.ConfigContext;
import org.modutils.insmod.report.Report;
import org.modutils.insmod.config.ModulesConf;
import org.modutils.insmod.kernel.KsymsParser;

/**
 * The fuzz targets as plain methods, shared by the @FuzzTest classes and by the regression
 * test that replays testdata/fuzz/. Each throws only when a rule is broken.
 */
final class Targets {
    private Targets() {}

    static final Map<String, java.util.function.Consumer<byte[]>> ALL = Map.of(
            "InsmodFuzzTest", Targets::link,
            "KsymsFuzzTest", Targets::ksyms,
            "ConfigFuzzTest", Targets::config,
            "ParamsFuzzTest", Targets::params,
            "DryRunFuzzTest", Targets::dryRun);

    /**
     * The whole {@code -n -m -O} path on {@code data} as the module object. Byte 7 (EI_OSABI,
     * which the reader ignores) picks extra options, so the mutator can reach -S, -x, -y, -k,
     * -f, -e and -o without a second input format; ELF64 objects link against the 64-bit table.
     */
    static void link(byte[] data) {
        int opts = data.length > 7 ? data[7] & 0xff : 0;
        List<String> flags = new ArrayList<>();
        if ((opts & 1) != 0) flags.add("-S");
        if ((opts & 2) != 0) flags.add("-x");
        if ((opts & 4) != 0) flags.add("-y");
        if ((opts & 8) != 0) flags.add("-k");
        if ((opts & 16) != 0) flags.add("-f");
        if ((opts & 32) != 0) flags.add("-epersist");
        if ((opts & 64) != 0) flags.add("-ofuzzed");
        String ksyms = data.length > 4 && data[4] == 2 ? FuzzHarness.KSYMS64 : FuzzHarness.KSYMS32;
        FuzzHarness.insmod(data, ksyms, flags, List.of(), data.length);
    }

    /**
     * The /proc/ksyms reader, then (when the table reads) hello.o linked against it, so that
     * hostile symbol values and module names go through resolution, .kmodtab and the map.
     */
    static void ksyms(byte[] data) {
        boolean[] ok = new boolean[1];
        FuzzHarness.bounded(data.length, () -> {
            try {
                KsymsParser.parse(data);
                ok[0] = true;
            } catch (org.modutils.insmod.kernel.KernelException e) {
                if (e.getMessage() == null || e.getMessage().contains("\n")) {
                    throw new AssertionError("bad message: " + e.getMessage());
                }
            }
        });
        if (!ok[0]) {
            return;
        }
        Path table = FuzzHarness.dir().resolve("fuzz.ksyms");
        try {
            Files.write(table, data);
            byte[] hello = Files.readAllBytes(FuzzHarness.ORACLE.resolve("i386/obj/usemod.o"));
            FuzzHarness.insmod(hello, table.toString(), List.of(), List.of(), data.length + hello.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The modules.conf reader. Command substitution in a config file runs /bin/sh as root by
     * design (the file is trusted, see the README's threat model), so '`' and '$' become '_'
     * here, and '/' too, which keeps include and -f inside the working directory.
     */
    static void config(byte[] data) {
        byte[] text = data.clone();
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '`' || text[i] == '$' || text[i] == '/') {
                text[i] = '_';
            }
        }
        Path file = FuzzHarness.dir().resolve("fuzz.conf");
        try {
            Files.write(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FuzzHarness.bounded(data.length, () -> {
            Report m = new Report() {
                @Override public void error(String t) { oneLine(t); }
                @Override public void info(String t) { oneLine(t); }
                @Override public void warning(String t) {}
            };
            ModulesConf.read(ConfigContext.of(FuzzHarness.dir(), Map.of("MODULECONFIG", file.toString()), "2.4.27",
                    false), m);
        });
    }

    private static void oneLine(String t) {
        if (t == null) {
            throw new AssertionError("null message");
        }
    }

    /**
     * The parameter parser: the input is the argument list (one per line) for params.o, the
     * i386 one when the first byte is odd, else the x86_64 one.
     */
    static void params(byte[] data) {
        String arch = data.length > 0 && (data[0] & 1) == 0 ? "x86_64" : "i386";
        List<String> args = new ArrayList<>();
        for (String l : new String(data, StandardCharsets.ISO_8859_1).split("\n")) {
            if (!l.isEmpty() && !l.startsWith("-") && !l.startsWith("{")) {
                args.add(l);
            }
        }
        try {
            byte[] obj = Files.readAllBytes(FuzzHarness.ORACLE.resolve(arch + "/obj/params.o"));
            FuzzHarness.insmod(obj, arch.equals("i386") ? FuzzHarness.KSYMS32 : FuzzHarness.KSYMS64, List.of(), args,
                    data.length + obj.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code insmod -n} on a fuzzed 2.6+ module against a fixed offline target (x86_64, a small
     * Module.symvers and /proc/kallsyms, no module loaded, signatures not enforced): the ELF
     * checks, signature trailer, .modinfo, __versions, symbol table and the __param relocations.
     * Byte 7 picks parameters to check. Every stderr line must start with "insmod: ", exit 1
     * must come with an ERROR line, and there is no internal error.
     */
    static void dryRun(byte[] data) {
        Path d = FuzzHarness.dir();
        Path ko = d.resolve("fuzz.ko"), symvers = d.resolve("Module.symvers"), kallsyms = d.resolve("kallsyms"),
                modules = d.resolve("modules");
        try {
            Files.write(ko, data);
            Files.writeString(symvers, "0x92997ed8\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n"
                    + "0x9060323f\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
                    + "0x6091797f\tsynchronize_rcu\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
                    + "0x09a34a2b\tcrc_itu_t\tlib/crc-itu-t\tEXPORT_SYMBOL\t\n");
            Files.writeString(kallsyms, "ffffffff81000000 T _printk\nffffffff82000000 r __ksymtab__printk\n"
                    + "ffffffff82000010 r __ksymtab_synchronize_rcu\nffffffffc0000000 t helper\t[other]\n");
            Files.writeString(modules, "other 16384 0 - Live 0x0000000000000000\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int opts = data.length > 7 ? data[7] & 0xff : 0;
        List<String> argv = new ArrayList<>(List.of("-n", "-v", "--uname-machine=x86_64", "--uname-release=6.1.0-fuzz",
                "--sig-enforce=" + ((opts & 1) != 0 ? "y" : "n"), "--symvers=" + symvers, "--proc-kallsyms=" + kallsyms,
                "--proc-modules=" + modules, ko.toString()));
        if ((opts & 2) != 0) argv.addAll(List.of("count=0x7fffffff", "name=\"two words\"", "nums=1,2,3", "flag"));
        if ((opts & 4) != 0) argv.addAll(List.of("count=-", "nosuch=1", "tag=abcdefghijk", "nums=1,,2"));
        // a compressed module may declare a decoder window (zstd, xz) of some MiB in a few header bytes
        boolean compressed = org.modutils.insmod.modern.Compression.detect(data)
                != org.modutils.insmod.modern.Compression.NONE;
        FuzzHarness.bounded(data.length + (compressed ? 8L << 20 : 0), () -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
            Throwable[] caught = new Throwable[1];
            int rc = org.modutils.insmod.cli.Insmod.run(argv.toArray(new String[0]), new org.modutils.insmod.cli.Insmod.Host(
                    new java.io.PrintStream(out, true, StandardCharsets.ISO_8859_1),
                    new java.io.PrintStream(err, true, StandardCharsets.ISO_8859_1), FuzzHarness.env(),
                    org.modutils.insmod.kernel.LinuxKernel::new, t -> caught[0] = t));
            String e = err.toString(StandardCharsets.ISO_8859_1);
            Throwable internal = caught[0];
            if (internal != null) throw new AssertionError("internal error: " + internal + "\n" + e, internal);
            if (rc != 0 && rc != 1) throw new AssertionError("exit status " + rc + "\n" + e);
            for (String line : e.split("\n", -1)) {
                if (!line.isEmpty() && !line.startsWith("insmod: ")) throw new AssertionError("stray stderr line: " + line);
            }
            if (rc == 1 && !e.contains("insmod: ERROR: ")) throw new AssertionError("exit 1 without an ERROR line\n" + e);
        });
    }
}
