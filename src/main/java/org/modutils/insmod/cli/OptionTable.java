package org.modutils.insmod.cli;

import org.modutils.insmod.sys.Getopt;

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

    static final Options OPTIONS = build();

    /**
     * modutils 2.4.16's {@code struct option long_opts[]}, in its order: these abbreviate as
     * glibc's getopt_long abbreviated them (--ksym is --ksymoops, --p is ambiguous among
     * --probe, --persist and --prefix, --poll is --probe). Our own long options are not in it
     * and match only when typed in full (see {@link Getopt}).
     */
    static final java.util.List<Getopt.LongOpt> ORIGINAL_LONG = java.util.List.of(
            new Getopt.LongOpt("force", "f", false), new Getopt.LongOpt("help", "h", false),
            new Getopt.LongOpt("autoclean", "k", false), new Getopt.LongOpt("lock", "L", false),
            new Getopt.LongOpt("map", "m", false), new Getopt.LongOpt("noload", "n", false),
            new Getopt.LongOpt("probe", "p", false), new Getopt.LongOpt("poll", "p", false),
            new Getopt.LongOpt("quiet", "q", false), new Getopt.LongOpt("root", "r", false),
            new Getopt.LongOpt("syslog", "s", false), new Getopt.LongOpt("kallsyms", "S", false),
            new Getopt.LongOpt("verbose", "v", false), new Getopt.LongOpt("version", "V", false),
            new Getopt.LongOpt("noexport", "x", false), new Getopt.LongOpt("export", "X", false),
            new Getopt.LongOpt("noksymoops", "y", false), new Getopt.LongOpt("ksymoops", "Y", false),
            new Getopt.LongOpt("persist", "e", true), new Getopt.LongOpt("name", "o", true),
            new Getopt.LongOpt("blob", "O", true), new Getopt.LongOpt("prefix", "P", true));

    private static Option flag(String s, String l, String d) {
        return Option.builder(s).longOpt(l).desc(d).build();
    }

    private static Option arg(String s, String l, String argName, String d) {
        return Option.builder(s).longOpt(l).hasArg().argName(argName).desc(d).build();
    }

    private static Option longOnly(String l, String argName, String d) {
        Option.Builder b = Option.builder().longOpt(l).desc(d);
        if (argName != null) {
            b.hasArg().argName(argName);
        }
        return b.build();
    }

    private static Options build() {
        Options o = new Options();
        o.addOption(flag("f", "force", "Force loading under wrong kernel version"));
        o.addOption(flag("h", "help", "Print the original usage message"));
        o.addOption(flag("k", "autoclean", "Make module autoclean-able"));
        o.addOption(flag("L", "lock", "Prevent simultaneous loads of the same module (always on, as in 2.4.16)"));
        o.addOption(flag("m", "map", "Generate load map (so crashes can be traced)"));
        o.addOption(flag("n", "noload", "Don't load, just show (image based at 0x12340000)"));
        o.addOption(flag("p", "probe", "Probe mode; check if the module matches the kernel"));
        o.addOption(longOnly("poll", null, "Deprecated name of --probe"));
        o.addOption(flag("q", "quiet", "Don't print unresolved symbols"));
        o.addOption(flag("r", "root", "Toggle the check that searched modules are owned by root"));
        o.addOption(flag("s", "syslog", "Report errors via syslog"));
        o.addOption(flag("S", "kallsyms", "Force kallsyms on module"));
        o.addOption(flag("v", "verbose", "Verbose output"));
        o.addOption(flag("V", "version", "Show version"));
        o.addOption(flag("x", "noexport", "Do not export externs"));
        o.addOption(flag("X", "export", "Do export externs (default)"));
        o.addOption(flag("y", "noksymoops", "Do not add ksymoops symbols"));
        o.addOption(flag("Y", "ksymoops", "Do add ksymoops symbols (default)"));
        o.addOption(flag("N", "numeric-only", "Compare only the numeric part of the kernel version"));
        o.addOption(arg("e", "persist", "persist_name", "Filename to hold any persistent data from the module"));
        o.addOption(arg("o", "name", "NAME", "Set internal module name to NAME"));
        o.addOption(arg("O", "blob", "NAME", "Save the object as a binary blob in NAME (written atomically)"));
        o.addOption(arg("P", "prefix", "PREFIX", "Prefix for kernel or module symbols"));
        o.addOption(Option.builder("R").hasArg().desc("Accepted by the original's getopt, never handled: prints usage").build());
        o.addOption(longOnly("ksyms", "FILE", "Kernel and module symbols from FILE (/proc/ksyms format, e.g. a "
                + "/var/log/ksymoops/*.ksyms snapshot) instead of the running kernel"));
        o.addOption(longOnly("uname-release", "R", "Stand in for uname -r (the target kernel's release)"));
        o.addOption(longOnly("uname-version", "S", "Stand in for uname -v (decides the smp_ symbol prefix)"));
        o.addOption(longOnly("target", "SPEC", "Load into a remote 2.4 target through its agent: tcp:HOST:PORT or "
                + "a serial device[,speed]"));
        o.addOption(longOnly("verify", "CERT[,CERT]", "Refuse a .ko unless its appended signature verifies"));
        o.addOption(longOnly("syscall", "auto|finit|init", "2.6+ kernels: force finit_module or init_module "
                + "(default: finit_module, init_module where it cannot be used)"));
        o.addOption(longOnly("uname-machine", "M", "-n on a .ko for another machine: its uname -m"));
        o.addOption(longOnly("proc-kallsyms", "FILE", "-n on a .ko for another machine: a copy of its /proc/kallsyms"));
        o.addOption(longOnly("proc-modules", "FILE", "-n on a .ko for another machine: a copy of its /proc/modules"));
        o.addOption(longOnly("symvers", "FILE", "-n on a .ko: the target kernel's Module.symvers (CRCs, GPL-only "
                + "exports; default: the installed headers' for the running kernel)"));
        o.addOption(longOnly("moddir", "DIR", "-n on a .ko for another machine: its /lib/modules/RELEASE tree"));
        o.addOption(longOnly("sig-enforce", "y|n", "-n on a .ko for another machine: whether it enforces module "
                + "signatures"));
        o.addOption(longOnly("sections", "DIR", "With -n -m on a 2.6+ module: the load map at the addresses in DIR, a "
                + "copy of the target's /sys/module/NAME/sections"));
        o.addOption(longOnly("help-all", null, "Print every option, ours included"));
        return o;
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
