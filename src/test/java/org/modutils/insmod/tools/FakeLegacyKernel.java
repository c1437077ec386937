package org.modutils.insmod.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.modutils.insmod.kernel.Errno;
import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.kernel.KernelSymbol;
import org.modutils.insmod.kernel.ModuleQuery;
import org.modutils.insmod.kernel.ModuleStatus;
import org.modutils.insmod.kernel.ModuleTable;
import org.modutils.insmod.kernel.RecordingKernel;

/**
 * A 2.4 kernel for the tools' unit tests: a module table that delete_module edits (a module
 * with users or a use count refuses with EBUSY, as 2.4's sys_delete_module does), kernel
 * memory blocks for persistent data, and what each tool printed.
 */
class FakeLegacyKernel extends RecordingKernel {
    final List<ModuleStatus> modules = new ArrayList<>();
    final List<KernelSymbol> kernelSymbols = new ArrayList<>();
    final List<String> deleted = new ArrayList<>();
    final TreeMap<Long, byte[]> memory = new TreeMap<>();
    final Map<String, Integer> deleteErrno = new HashMap<>();
    Integer autocleanErrno;

    FakeLegacyKernel() {
        machine = "i686";
    }

    static ModuleStatus module(String name, long addr, long size, long flags, long use, List<String> users,
                               KernelSymbol... syms) {
        return new ModuleStatus(name, addr, size, flags, use, users, List.of(syms));
    }

    @Override
    public ModuleTable moduleTable(ModuleQuery what) {
        return new ModuleTable(List.copyOf(modules), what.symbols() ? List.copyOf(kernelSymbols) : List.of());
    }

    @Override
    public void deleteModule(String name) throws KernelException {
        if (name == null) {
            if (autocleanErrno != null) {
                throw new KernelException(autocleanErrno, "delete_module: " + Errno.text(autocleanErrno));
            }
            deleted.add("(autoclean)");
            return;
        }
        Integer e = deleteErrno.get(name);
        ModuleStatus m = find(name);
        if (e == null && m == null) {
            e = Errno.ENOENT;
        } else if (e == null && (!m.users().isEmpty() || m.useCount() != 0)) {
            e = Errno.EBUSY;
        }
        if (e != null) {
            throw new KernelException(e, "delete_module: " + Errno.text(e));
        }
        deleted.add(name);
        modules.remove(m);
        for (int i = 0; i < modules.size(); i++) {
            ModuleStatus o = modules.get(i);
            List<String> users = new ArrayList<>(o.users());
            if (users.remove(name)) {
                modules.set(i, new ModuleStatus(o.name(), o.address(), o.size(), o.flags(), o.useCount(),
                        List.copyOf(users), o.symbols()));
            }
        }
    }

    private ModuleStatus find(String name) {
        for (ModuleStatus m : modules) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    @Override
    public byte[] readKernelMemory(long address, int length) throws KernelException {
        Map.Entry<Long, byte[]> e = memory.floorEntry(address);
        if (e == null || address + length > e.getKey() + e.getValue().length) {
            throw new KernelException(Errno.EIO, "/dev/kmem: short read");
        }
        byte[] out = new byte[length];
        System.arraycopy(e.getValue(), (int) (address - e.getKey()), out, 0, length);
        return out;
    }

    /** A run of one tool: exit status and both streams. */
    record Run(int rc, String out, String err) {}

    interface Tool {
        int run(String[] args, ToolEnv env);
    }

    Run run(Tool tool, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.ISO_8859_1);
        PrintStream e = new PrintStream(err, true, StandardCharsets.ISO_8859_1);
        int rc = tool.run(args, new ToolEnv(o, e, env, target -> this));
        return new Run(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    Run run(Tool tool, String... args) {
        return run(tool, Map.of(), args);
    }
}
