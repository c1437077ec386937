package org.modutils.insmod.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Supplier;

import org.modutils.insmod.report.Report;
import org.modutils.insmod.deps.LegacyDepmod;
import org.modutils.insmod.deps.LegacyTree;
import org.modutils.insmod.kernel.Kernel;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.sys.Syslog;

/**
 * depmod as modutils 2.4's: {@code depmod [-a|-A] [-b BASE] [-C conf] [-F System.map] [-e -n -q
 * -r -s -u -v -V] [version]} over the tree modules.conf names, or {@code depmod [...] a.o b.o.gz}
 * over the objects named (everything on stdout). Messages are "depmod: TEXT" on stderr, or
 * syslog under -s. The generated files are each written to a temporary name beside them, then
 * renamed (modules.dep last, its time stamp is what -A and modprobe look at).
 */
final class LegacyDepmodTool {
    /** The modutils release whose depmod this is (insmod says the same: cli.Insmod.VERSION). */
    static final String VERSION = "2.4.16";
    static final String SHORT = "aAb:C:eF:hnqsvVru";
    static final String[][] LONG = {
        {"all", "a"}, {"basedir", "b:"}, {"config", "C:"}, {"errsyms", "e"}, {"filesyms", "F:"}, {"help", "h"},
        {"show", "n"}, {"quick", "A"}, {"quiet", "q"}, {"syslog", "s"}, {"verbose", "v"}, {"version", "V"},
        {"root", "r"}, {"unresolved-error", "u"},
    };

    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<Kernel> kernel;
    private Syslog syslog;
    private int errors;

    private LegacyDepmodTool(PrintStream out, PrintStream err, Supplier<Kernel> kernel) {
        this.out = out;
        this.err = err;
        this.kernel = kernel;
    }

    /** True when these arguments are for the 2.4 depmod: objects named, or a 2.0-2.4 release. */
    static boolean wanted(List<String> operands, String release) {
        if (operands.stream().anyMatch(a -> a.endsWith(".o") || a.endsWith(".o.gz"))) return true;
        String v = operands.isEmpty() ? release : operands.get(0);
        return v != null && v.matches("2\\.[0-4]\\..*");
    }

    static int run(String[] args, PrintStream out, PrintStream err, Supplier<Kernel> kernel) {
        return new LegacyDepmodTool(out, err, kernel).main(args);
    }

    private static final class Options {
        boolean std;
        boolean quick;
        boolean show;
        boolean showErrors;
        boolean quiet;
        boolean verbose;
        boolean rootCheck = true;
        boolean unresolvedError;
        String base = "";
        String conf;
        String ksyms;
    }

    private int main(String[] args) {
        MiniGetopt g;
        try {
            g = MiniGetopt.parse(SHORT, LONG, args);
        } catch (MiniGetopt.UsageError e) {
            err.println("depmod: " + e.getMessage());
            usage();
            return 0;
        }
        Options o = new Options();
        for (String[] opt : g.options) {
            switch (opt[0]) {
                case "a": o.std = true; o.quick = false; break;
                case "A": o.std = true; o.quick = true; break;
                case "e": o.showErrors = true; break;
                case "b": o.base = opt[1]; break;
                case "h": usage(); return 0;
                case "C": o.conf = opt[1]; break;
                case "F": o.ksyms = opt[1]; break;
                case "n": o.show = true; break;
                case "q": o.quiet = true; break;
                case "s": syslog = Syslog.open("depmod", Syslog.LOG_DAEMON, Syslog.DEFAULT_SOCKET,
                        java.time.Clock.systemDefaultZone(), Syslog.DEFAULT_CONSOLE); break;
                case "v": o.verbose = true; break;
                case "V": out.println("depmod version " + VERSION); break;
                case "r": o.rootCheck = false; break;
                case "u": o.unresolvedError = true; break;
                default: break;
            }
        }
        List<String> running = null;
        if (o.ksyms == null) {
            try {
                running = runningKernel();
            } catch (KernelException e) {
                error(e.getMessage());
                return 1;
            }
        }
        int status;
        if (o.std || g.operands.isEmpty()) {
            status = tree(o, g.operands.isEmpty() ? RunningKernel.release() : g.operands.get(0), running);
        } else {
            LegacyDepmod.Result r = LegacyDepmod.run(new LegacyDepmod.Request(g.operands, o.ksyms, o.base,
                    o.showErrors, o.quiet, o.unresolvedError, running));
            status = report(r, o, true);
        }
        if (syslog != null) syslog.close();
        return status != 0 || errors > 0 ? 1 : 0;
    }

    /**
     * The running kernel's exports when it is a 2.4 one (query_module, else /proc/ksyms), as
     * depmod without -F uses them; null on a later kernel, which has no such table (then only
     * the symbols insmod supplies itself count as the kernel's).
     */
    private List<String> runningKernel() throws KernelException {
        Kernel k = kernel.get();
        if (!k.legacy()) return null;
        List<String> names = new java.util.ArrayList<>();
        for (KernelSymbol s : k.symbols().kernel()) names.add(s.name());
        return names;
    }

    private int tree(Options o, String version, List<String> running) {
        LegacyTree.Outcome t = LegacyTree.run(new LegacyTree.Request(o.base, version, o.conf, o.ksyms, o.quick,
                o.showErrors, o.quiet, o.unresolvedError, o.rootCheck, System.getenv(), running), messages());
        if (t.upToDate()) return 0;
        if (t.configFailed()) return 1;
        if (t.result().files().isEmpty()) return report(t.result(), o, false); // no kernel symbols: nothing written
        if (!o.show) {
            for (int i = 1; i <= t.files().size(); i++) {
                int k = i % t.files().size(); // the map files first, modules.dep last
                if (!write(t.files().get(k), t.result().files().get(k))) return 255;
            }
        }
        return report(t.result(), o, o.show);
    }

    /** Prints what goes to stdout (-v names, and with -n the files), then the messages. */
    private int report(LegacyDepmod.Result r, Options o, boolean show) {
        if (show && !r.files().isEmpty()) {
            String[] entries = r.dep().split("(?<=\n\n)");
            for (int i = 0; i < r.shown().size(); i++) {
                if (o.verbose) out.print(r.shown().get(i) + "\n");
                out.print(entries[i]);
            }
            for (int i = 1; i < r.files().size(); i++) out.print(r.files().get(i));
        } else if (o.verbose) {
            for (String s : r.shown()) out.print(s + "\n");
        }
        out.flush();
        for (String e : r.errors()) {
            boolean unresolved = e.startsWith("*** Unresolved") || e.startsWith("\t");
            if (unresolved) say(e);
            else error(e);
        }
        return r.status();
    }

    private boolean write(Path file, String text) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
            Files.write(tmp, text.getBytes(StandardCharsets.ISO_8859_1));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed already; that is what gets reported
            }
            error("Can't open " + file + " for writing");
            return false;
        }
    }

    private Report messages() {
        return Report.of(this::error, out::println, err::println);
    }

    /** error(): counted, "depmod: TEXT" on stderr or syslog. */
    private void error(String text) {
        errors++;
        say(text);
    }

    /** error() with the count left alone, as the unresolved report does. */
    private void say(String text) {
        if (syslog != null) {
            syslog.error(text);
        } else {
            err.println("depmod: " + text);
            err.flush();
        }
    }

    private void usage() {
        err.print("depmod " + VERSION + "\n"
                + "depmod -[aA] [-n -e -v -q -V -r -u]\n"
                + "      [-C configfile] [-F kernelsyms] [-b basedirectory] [forced_version]\n"
                + "depmod [-n -e -v -q -r -u] [-F kernelsyms] module1.o module2.o ...\n"
                + "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
                + "\n"
                + "depmod will output a dependancy list suitable for the modprobe utility.\n"
                + "depmod -a will find the list of modules to probe from the file\n"
                + "/etc/modules.conf. It will output the result into the depfile specified\n"
                + "in this configuration file\n"
                + "\n"
                + "depmod -A is the same as depmod -a, but will first compare the timestamps\n"
                + "of the files involved to see if the depfile needs updating.\n"
                + "\n"
                + "Normally depmod operates silently, reporting only the list of modules that\n"
                + "won't load properly (missing symbols).\n"
                + "\n"
                + "Options:\n"
                + "\t-a, --all            Probe modules listed in /etc/modules.conf\n"
                + "\t-A                   Like -a, compares timestamps first\n"
                + "\t-q, --quiet          Don't report missing symbols\n"
                + "\t-e, --errsyms        List unresolved symbols for the given module\n"
                + "\t-s, --syslog         Report errors using syslog\n"
                + "\t-v, --verbose        Print all visited modules\n"
                + "\t-n, --show           Write the dependency file on stdout only\n"
                + "\t-r, --root           Allow root to allow modules not owned by root\n"
                + "\t-V, --version        Print the release version\n"
                + "\t-u, --unresolved-error Set an error return code for unresolved symbols\n"
                + "\t-h, --help           Print this usage message\n"
                + "\n"
                + "The following options are useful for people managing distributions:\n"
                + "\t-b basedirectory\n"
                + "\t    --basedir basedirectory    Use an image of a module tree.\n"
                + "\t-C configfile\n"
                + "\t    --config configfile        Use the file instead of\n"
                + "\t                               /etc/modules.conf.\n"
                + "\t-F kernelsyms\n"
                + "\t    --filesyms kernelsyms      Use the file instead of the\n"
                + "\t                               current kernel symbols.\n");
        err.flush();
    }
}
