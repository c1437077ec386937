package org.modutils.insmod.cli;

import org.modutils.insmod.sys.Getopt;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.modern.ModernRequest;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.tools.ToolLog;

/** insmod's command line: the original's options and ours, read with glibc getopt's rules. */
final class InsmodOptions {
    boolean force, autoclean, lock = true, map, noload, probe, quiet, rootCheckOff, syslog, kallsyms, verbose;
    boolean export = true, ksymoops = true, numericOnly;
    String persist, name, blob, prefix, ksyms, release, version, target, sections;
    ModernRequest.Syscall syscall = ModernRequest.Syscall.AUTO;
    final List<String> verify = new ArrayList<>();
    /** The target description of a 2.6+ dry run (-n on a .ko for another machine). */
    final DryRunCommand.Offline offline = new DryRunCommand.Offline();
    /** The module and its parameters. */
    List<String> operands;

    /** The run ends while reading the options (usage, -h, --help-all) with this exit status. */
    static final class Exit extends Exception {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private boolean help;
    /**
     * stderr is a terminal, so a person reads it: -h, the usage after a bad option and -V then
     * add one line about this implementation after the original's text, which scripts and
     * recordings (stderr to a file or pipe) get byte for byte.
     */
    private boolean interactive;

    /**
     * Reads {@code argv}. -V and --help-all print as they are met (as the original's getopt loop);
     * usage goes to {@code err}.
     */
    static InsmodOptions parse(String[] argv, PrintStream out, PrintStream err, ToolLog log, boolean interactive,
                               boolean posixlyCorrect) throws Exit {
        InsmodOptions s = new InsmodOptions();
        s.interactive = interactive;
        Getopt g;
        try {
            // An anonymous class, not a lambda: the lambda bootstrap is a measurable part of start-up.
            g = Getopt.parse(OptionTable.OPTIONS, OptionTable.ORIGINAL_LONG, posixlyCorrect, argv,
                    new java.util.function.Consumer<Getopt.Opt>() {
                        @Override
                        public void accept(Getopt.Opt o) {
                            s.take(o, out, err, log);
                        }
                    });
        } catch (StopParsing e) {
            throw new Exit(usageOrHelpAll(argv, err, interactive));
        } catch (Getopt.UsageError e) {
            err.print("insmod: " + e.getMessage() + "\n");
            throw new Exit(usage(err, interactive));
        }
        if (g.operands.isEmpty()) {
            throw new Exit(usage(err, interactive));
        }
        s.operands = g.operands;
        return s;
    }

    private void take(Getopt.Opt o, PrintStream out, PrintStream err, ToolLog log) {
        if (!flag(o.key()) && !valued(o, log)) {
            switch (o.key()) {
                case "V":
                    err.print("insmod version " + Insmod.VERSION + "\n");
                    if (interactive) {
                        err.print(OptionTable.VERSION_MORE);
                    }
                    break;
                case "help-all": out.print(OptionTable.helpAll()); help = true; break;
                default: help = true; break;
            }
        }
        if (help) {
            throw new StopParsing();
        }
    }

    /** The switches; false for any other option. */
    private boolean flag(String key) {
        switch (key) {
            case "f": force = true; break;
            case "k": autoclean = true; break;
            case "L": lock = true; break;
            case "m": map = true; break;
            case "n": noload = true; break;
            case "p": case "poll": probe = true; break;
            case "q": quiet = true; break;
            case "r": rootCheckOff = !rootCheckOff; break;
            case "s": syslog = true; break;
            case "S": kallsyms = true; break;
            case "v": verbose = true; break;
            case "x": export = false; break;
            case "X": export = true; break;
            case "y": ksymoops = false; break;
            case "Y": ksymoops = true; break;
            case "N": numericOnly = true; break;
            default: return false;
        }
        return true;
    }

    /** The options with a value; false for any other option. */
    private boolean valued(Getopt.Opt o, ToolLog log) {
        switch (o.key()) {
            case "e": persist = o.arg(); break;
            case "o": name = o.arg(); break;
            case "O": blob = o.arg(); break;
            case "P":
                if (prefix == null) {
                    prefix = o.arg();
                    if (verbose) {
                        log.info("Symbol version prefix '" + prefix + "'");
                    }
                }
                break;
            case "ksyms": ksyms = o.arg(); break;
            case "uname-release": release = o.arg(); break;
            case "uname-version": version = o.arg(); break;
            case "target": target = o.arg(); break;
            case "sections": sections = o.arg(); break;
            case "uname-machine": offline.machine = o.arg(); break;
            case "proc-kallsyms": offline.kallsyms = o.arg(); break;
            case "proc-modules": offline.modules = o.arg(); break;
            case "symvers": offline.symvers = o.arg(); break;
            case "moddir": offline.moddir = o.arg(); break;
            case "sig-enforce": offline.sigEnforce = o.arg(); break;
            case "verify": verify.addAll(List.of(o.arg().split(","))); break;
            case "syscall": syscall(o.arg()); break;
            default: return false;
        }
        return true;
    }

    private void syscall(String how) {
        switch (how) {
            case "auto": syscall = ModernRequest.Syscall.AUTO; break;
            case "finit": syscall = ModernRequest.Syscall.FINIT; break;
            case "init": syscall = ModernRequest.Syscall.INIT; break;
            default: help = true;
        }
    }

    static int usage(PrintStream err, boolean interactive) {
        err.print(OptionTable.USAGE);
        if (interactive) {
            err.print(OptionTable.USAGE_MORE);
        }
        return 1;
    }

    /** -h, -R or a bad long option: the original usage text; --help-all: ours, exit 0. */
    private static int usageOrHelpAll(String[] argv, PrintStream err, boolean interactive) {
        for (String a : argv) {
            if (a.equals("--help-all")) {
                return 0;
            }
        }
        return usage(err, interactive);
    }

    /** Thrown from the option callback to stop at -h, as the original exits in getopt's loop. */
    private static final class StopParsing extends RuntimeException {
        StopParsing() {
            super(null, null, false, false);
        }
    }
}
