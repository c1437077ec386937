package org.modutils.insmod.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.modutils.insmod.sys.Getopt;

/**
 * Every option insmod accepts, described once with commons-cli: the original's getopt string
 * "fhkLmnpqrsSvVxXyYe:o:O:P:R:" (+N from 2.4.18) with its long names, and ours. {@link org.modutils.insmod.sys.Getopt}
 * parses with glibc's getopt_long rules from this table; --help-all prints it.
 */
final class OptionTable {
    private OptionTable() {}

    static final String USAGE = "Usage:\n"
            + "insmod [-fhkLmnpqrsSvVxXyY] [-e persist_name] [-o module_name] [-O blob_name] [-P prefix] module [ symbol=value ... ]\n"
            + "\n"
            + "  module                Name of a loadable kernel module ('.o' can be omitted)\n"
            + "  -f, --force           Force loading under wrong kernel version\n"
            + "  -h, --help            Print this message\n"
            + "  -k, --autoclean       Make module autoclean-able\n"
            + "  -L, --lock            Prevent simultaneous loads of the same module\n"
            + "  -m, --map             Generate load map (so crashes can be traced)\n"
            + "  -n, --noload          Don't load, just show\n"
            + "  -p, --probe           Probe mode; check if the module matches the kernel\n"
            + "  -q, --quiet           Don't print unresolved symbols\n"
            + "  -r, --root            Allow root to load modules not owned by root\n"
            + "  -s, --syslog          Report errors via syslog\n"
            + "  -S, --kallsyms        Force kallsyms on module\n"
            + "  -v, --verbose         Verbose output\n"
            + "  -V, --version         Show version\n"
            + "  -x, --noexport        Do not export externs\n"
            + "  -X, --export          Do export externs (default)\n"
            + "  -y, --noksymoops      Do not add ksymoops symbols\n"
            + "  -Y, --ksymoops        Do add ksymoops symbols (default)\n"
            + "  -e persist_name\n"
            + "      --persist=persist_name Filename to hold any persistent data from the module\n"
            + "  -o NAME, --name=NAME  Set internal module name to NAME\n"
            + "  -O NAME, --blob=NAME  Save the object as a binary blob in NAME\n"
            + "  -P PREFIX\n"
            + "      --prefix=PREFIX   Prefix for kernel or module symbols\n";

    /** The line a person at a terminal gets after the original's usage text. */
    static final String USAGE_MORE = "(This insmod, a reimplementation in Java, has more options: insmod --help-all)\n";

    /** The line a person at a terminal gets after the original's -V line. */
    static final String VERSION_MORE = "(modutils " + Insmod.VERSION + " insmod reimplemented in Java; "
            + "its own options: insmod --help-all)\n";

    /** True when standard error is a terminal (its /proc/self/fd/2 link names a tty or the console). */
    static boolean stderrIsTerminal() {
        try {
            String t = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Every option, one a line in the order --help-all lists them: the letter ("-" for none), the
     * long name ("-" for none), the argument's name ("-" for a flag), the description.
     */
    private static final String TABLE = """
            f force - Force loading under wrong kernel version
            h help - Print the original usage message
            k autoclean - Make module autoclean-able
            L lock - Prevent simultaneous loads of the same module (always on, as in 2.4.16)
            m map - Generate load map (so crashes can be traced)
            n noload - Don't load, just show (image based at 0x12340000)
            p probe - Probe mode; check if the module matches the kernel
            - poll - Deprecated name of --probe
            q quiet - Don't print unresolved symbols
            r root - Toggle the check that searched modules are owned by root
            s syslog - Report errors via syslog
            S kallsyms - Force kallsyms on module
            v verbose - Verbose output
            V version - Show version
            x noexport - Do not export externs
            X export - Do export externs (default)
            y noksymoops - Do not add ksymoops symbols
            Y ksymoops - Do add ksymoops symbols (default)
            N numeric-only - Compare only the numeric part of the kernel version
            e persist persist_name Filename to hold any persistent data from the module
            o name NAME Set internal module name to NAME
            O blob NAME Save the object as a binary blob in NAME (written atomically)
            P prefix PREFIX Prefix for kernel or module symbols
            R - arg Accepted by the original's getopt, never handled: prints usage
            - ksyms FILE Kernel and module symbols from FILE (/proc/ksyms format, e.g. a \
            /var/log/ksymoops/*.ksyms snapshot) instead of the running kernel
            - uname-release R Stand in for uname -r (the target kernel's release)
            - uname-version S Stand in for uname -v (decides the smp_ symbol prefix)
            - target SPEC Load into a remote 2.4 target through its agent: tcp:HOST:PORT or a serial device[,speed]
            - verify CERT[,CERT] Refuse a .ko unless its appended signature verifies
            - syscall auto|finit|init 2.6+ kernels: force finit_module or init_module \
            (default: finit_module, init_module where it cannot be used)
            - uname-machine M -n on a .ko for another machine: its uname -m
            - proc-kallsyms FILE -n on a .ko for another machine: a copy of its /proc/kallsyms
            - proc-modules FILE -n on a .ko for another machine: a copy of its /proc/modules
            - symvers FILE -n on a .ko: the target kernel's Module.symvers (CRCs, GPL-only \
            exports; default: the installed headers' for the running kernel)
            - moddir DIR -n on a .ko for another machine: its /lib/modules/RELEASE tree
            - sig-enforce y|n -n on a .ko for another machine: whether it enforces module signatures
            - sections DIR With -n -m on a 2.6+ module: the load map at the addresses in DIR, a \
            copy of the target's /sys/module/NAME/sections
            - help-all - Print every option, ours included
            """;

    /** The letters of the original's getopt string that have a long name in its long_opts[]. */
    private static final String ORIGINAL_LETTERS = "fhkLmnpqrsSvVxXyYeoOP";

    static final Options OPTIONS = build();

    /**
     * modutils 2.4.16's {@code struct option long_opts[]}, in its order: these abbreviate as
     * glibc's getopt_long abbreviated them (--ksym is --ksymoops, --p is ambiguous among
     * --probe, --persist and --prefix, --poll is --probe). Our own long options are not in it
     * and match only when typed in full (see {@link Getopt}).
     */
    static final java.util.List<Getopt.LongOpt> ORIGINAL_LONG = originalLong();

    private static Options build() {
        Options o = new Options();
        for (String line : TABLE.split("\n")) {
            String[] f = line.split(" ", 4);
            Option.Builder b = Option.builder(none(f[0])).longOpt(none(f[1])).desc(f[3]);
            if (none(f[2]) != null) {
                b.hasArg().argName(f[2]);
            }
            o.addOption(b.build());
        }
        return o;
    }

    private static java.util.List<Getopt.LongOpt> originalLong() {
        java.util.List<Getopt.LongOpt> l = new java.util.ArrayList<>();
        for (Option opt : OPTIONS.getOptions()) {
            if (opt.getOpt() != null && ORIGINAL_LETTERS.contains(opt.getOpt())) {
                l.add(new Getopt.LongOpt(opt.getLongOpt(), opt.getOpt(), opt.hasArg()));
            } else if ("poll".equals(opt.getLongOpt())) {
                l.add(new Getopt.LongOpt("poll", "p", false)); // the original's other name of --probe
            }
        }
        return java.util.List.copyOf(l);
    }

    private static String none(String field) {
        return field.equals("-") ? null : field;
    }

    static String helpAll() {
        StringWriter sw = new StringWriter();
        HelpFormatter hf = new HelpFormatter();
        hf.setOptionComparator(null);
        hf.printHelp(new PrintWriter(sw), 100, "insmod [options] module [symbol=value ...]",
                "modutils " + Insmod.VERSION + " insmod, reimplemented in Java. Load a kernel module; 2.4 objects "
                        + "are linked here, 2.6+ modules by the kernel.\n\n", OPTIONS, 2, 4,
                "\nThe original's long options abbreviate as with getopt_long (--ksym is --ksymoops); "
                        + "-N/--numeric-only and the long-only options from --ksyms on must be typed in full."
                        + "\nExit status: 0 on success, 1 on any error or usage.");
        return sw.toString();
    }
}
