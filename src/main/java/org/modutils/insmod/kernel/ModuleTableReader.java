package org.modutils.insmod.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * modutils' get_kernel_info over query_module(2), shared by the local kernel and the agent:
 * QM_MODULES, then per module QM_INFO, QM_REFS and QM_SYMBOLS as asked, then the kernel's
 * QM_SYMBOLS. Messages name the query as modutils did ("module X: QM_INFO: ..."). Public for the
 * remote kernel (kernel.remote), which asks through its agent.
 */
public final class ModuleTableReader {
    static final int QM_MODULES = 1, QM_REFS = 3, QM_SYMBOLS = 4, QM_INFO = 5;

    /** One query_module answer: the kernel's ret value and the buffer it filled. */
    public record Answer(long ret, byte[] data) {}

    /** query_module(name, which) growing its buffer as needed; failures carry the errno. */
    @FunctionalInterface
    public interface Query {
        Answer query(String name, int which) throws KernelException;
    }

    private final Query q;
    private final int wordSize;
    private final boolean bigEndian;

    public ModuleTableReader(Query q, int wordSize, boolean bigEndian) {
        this.q = q;
        this.wordSize = wordSize;
        this.bigEndian = bigEndian;
    }

    public ModuleTable read(ModuleQuery what) throws KernelException {
        Answer names = ask(null, QM_MODULES, "QM_MODULES");
        List<String> list = strings(names, "QM_MODULES");
        List<ModuleStatus> modules = new ArrayList<>(list.size());
        for (String name : list) {
            modules.add(module(name, what, modules));
        }
        List<KernelSymbol> kernel = List.of();
        if (what.symbols()) {
            kernel = symbols(ask(null, QM_SYMBOLS, "kernel: QM_SYMBOLS"), "kernel: QM_SYMBOLS");
        }
        return new ModuleTable(List.copyOf(modules), kernel);
    }

    private ModuleStatus module(String name, ModuleQuery what, List<ModuleStatus> before) throws KernelException {
        Answer info;
        try {
            info = q.query(name, QM_INFO);
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOENT) {
                return vanished(name);              // removed out from under us: modutils keeps it, deleted
            }
            throw fail(e, "module " + name + ": QM_INFO");
        }
        if (info.data().length < 4 * wordSize) {
            throw new KernelException("module " + name + ": QM_INFO: short answer");
        }
        long addr = word(info.data(), 0);
        long size = 0, flags = 0, use = 0;
        if (what.info()) {
            size = word(info.data(), wordSize);
            flags = word(info.data(), 2 * wordSize);
            use = signed(word(info.data(), 3 * wordSize));
        }
        List<String> users = List.of();
        if (what.refs()) {
            users = users(strings(ask(name, QM_REFS, "QM_REFS"), "QM_REFS"), before);
        }
        List<KernelSymbol> syms = List.of();
        if (what.symbols()) {
            try {
                syms = symbols(q.query(name, QM_SYMBOLS), "module " + name + ": QM_SYMBOLS");
            } catch (KernelException e) {
                if (e.errno() == Errno.ENOENT) {
                    return new ModuleStatus(name, addr, size, ModuleStatus.DELETED, use, users, List.of());
                }
                throw fail(e, "module " + name + ": QM_SYMBOLS");
            }
        }
        return new ModuleStatus(name, addr, size, flags, use, users, syms);
    }

    private static ModuleStatus vanished(String name) {
        return new ModuleStatus(name, 0, 0, ModuleStatus.DELETED, 0, List.of(), List.of());
    }

    /** Only users listed before this module count, as in modutils (users are loaded later). */
    private static List<String> users(List<String> refs, List<ModuleStatus> before) {
        List<String> out = new ArrayList<>(refs.size());
        for (String r : refs) {
            for (ModuleStatus m : before) {
                if (m.name().equals(r)) {
                    out.add(r);
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    private Answer ask(String name, int which, String what) throws KernelException {
        try {
            return q.query(name, which);
        } catch (KernelException e) {
            throw fail(e, what);
        }
    }

    private static KernelException fail(KernelException e, String what) {
        if (!e.fromSyscall()) {
            return e;                               // not the kernel's answer (a lost link): its own sentence
        }
        return new KernelException(e.errno(), what + ": " + Errno.text(e.errno()));
    }

    private static List<String> strings(Answer a, String what) throws KernelException {
        List<String> out = new ArrayList<>((int) Math.min(a.ret(), 4096));
        byte[] b = a.data();
        int off = 0;
        for (long i = 0; i < a.ret(); i++) {
            int end = off;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            if (end >= b.length) {
                throw new KernelException(what + ": answer shorter than its count");
            }
            out.add(new String(b, off, end - off, StandardCharsets.ISO_8859_1));
            off = end + 1;
        }
        return out;
    }

    /** struct module_symbol { unsigned long value; unsigned long name; }[ret], names as buffer offsets. */
    private List<KernelSymbol> symbols(Answer a, String what) throws KernelException {
        byte[] b = a.data();
        List<KernelSymbol> out = new ArrayList<>((int) Math.min(a.ret(), 1 << 20));
        for (long i = 0; i < a.ret(); i++) {
            long at = i * 2 * wordSize;
            if (at + 2L * wordSize > b.length) {
                throw new KernelException(what + ": answer shorter than its count");
            }
            long value = word(b, (int) at);
            long nameOff = word(b, (int) at + wordSize);
            if (nameOff < 0 || nameOff >= b.length) {
                throw new KernelException(what + ": name offset outside the answer");
            }
            int end = (int) nameOff;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            out.add(new KernelSymbol(value, new String(b, (int) nameOff, end - (int) nameOff,
                    StandardCharsets.ISO_8859_1)));
        }
        return List.copyOf(out);
    }

    private long word(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < wordSize; i++) {
            int idx = bigEndian ? off + i : off + wordSize - 1 - i;
            v = (v << 8) | (b[idx] & 0xff);
        }
        return v;
    }

    /** A target long: sign-extended from the word size. */
    private long signed(long v) {
        return wordSize == 8 ? v : (long) (int) v;
    }
}
