package org.modutils.insmod.tools;

import java.io.IOException;

import org.apache.commons.cli.Options;
import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.module.KallsymsObject;
import org.modutils.insmod.module.PersistSave;
import org.modutils.insmod.sys.FileNames;
import org.modutils.insmod.sys.Getopt;
import org.modutils.insmod.sys.IoReasons;

/**
 * modutils 2.4's kallsyms: {@code kallsyms vmlinux > kallsyms.o} writes an ELF object whose
 * only loaded section, {@code __kallsyms}, lists every symbol of the kernel's loaded sections
 * (see {@link KallsymsObject}). The kernel file may be gzip-compressed. Nothing is written to
 * standard output unless the whole object was built.
 */
public final class Kallsyms {
    static final String USAGE = "Usage:\n"
            + "kallsyms [-Vh] file\n"
            + "\n"
            + "  -V, --version         Show version\n"
            + "  -h, --help            Print this message.\n"
            + "  file                  Filename of a kernel (e.g. vmlinux)\n";

    private static final Options OPTIONS = ToolOptions.of("V:version", "h:help");

    private Kallsyms() {}

    public static int run(String[] args) {
        return run(args, ToolEnv.standard());
    }

    public static int run(String[] args, ToolEnv env) {
        return ToolOptions.run("kallsyms", OPTIONS, USAGE, args, env, (g, log) -> main(g, env, log));
    }

    private static int main(Getopt g, ToolEnv env, ToolLog log) {
        for (Getopt.Opt o : g.options) {
            switch (o.key()) {
                case "V":
                    env.err().print("kallsyms version " + ToolEnv.VERSION + "\n");
                    return 0;
                case "h":
                    env.err().print(USAGE);
                    return 0;
                case "target":
                    env.err().print(USAGE);                 // a file tool: no kernel to reach
                    return 1;
                default:
                    break;
            }
        }
        if (g.operands.size() != 1) {
            env.err().print(USAGE);
            return 1;
        }
        String file = g.operands.get(0);
        log.errorFile(file);
        byte[] data;
        try {
            data = PersistSave.readObject(FileNames.forReading(file));
        } catch (IOException e) {
            log.error(file + ": " + IoReasons.of(e));
            return 1;
        }
        byte[] out;
        try {
            out = KallsymsObject.build(file, data);
        } catch (ElfException | LinkSection.ReadFailure e) {
            log.error(e.getMessage());
            return 1;
        }
        env.out().write(out, 0, out.length);
        env.out().flush();
        return env.out().checkError() ? 1 : 0;
    }
}
