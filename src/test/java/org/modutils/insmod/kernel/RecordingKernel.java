package org.modutils.insmod.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Kernel} that records every call and answers as configured: for unit tests of the
 * submit stages (legacy and modern). Not a substitute for the real-kernel tests.
 */
public class RecordingKernel implements Kernel {
    /** One recorded call: the method name and its arguments. */
    public record Call(String method, List<Object> args) {
        public Object arg(int i) {
            return args.get(i);
        }
    }

    public final List<Call> calls = new ArrayList<>();
    public final Map<String, byte[]> files = new HashMap<>();
    public String release = "2.4.27";
    public String version = "#1 Sat Jan 10 12:00:00 UTC 2004";
    public String machine = "i686";
    public boolean legacy = true;
    public KernelSymbols symbols = new KernelSymbols(List.of(), List.of());
    public long createAddress = 0xc8800000L;
    public int tainted = 0;
    /** errno to fail a method with (by method name); absent = success. */
    public final Map<String, Integer> failWith = new HashMap<>();

    private void record(String method, Object... args) throws KernelException {
        calls.add(new Call(method, List.of(args)));
        Integer e = failWith.get(method);
        if (e != null) throw new KernelException(e, method + ": " + Errno.text(e));
    }

    public List<String> methods() {
        List<String> m = new ArrayList<>();
        for (Call c : calls) m.add(c.method());
        return m;
    }

    public Call last(String method) {
        for (int i = calls.size() - 1; i >= 0; i--) if (calls.get(i).method().equals(method)) return calls.get(i);
        return null;
    }

    @Override public String release() { return release; }
    @Override public String version() { return version; }
    @Override public boolean legacy() { return legacy; }
    @Override public String machine() { return machine; }

    @Override
    public KernelSymbols symbols() throws KernelException {
        record("symbols");
        return symbols;
    }

    @Override
    public long createModule(String name, long size) throws KernelException {
        record("createModule", name, size);
        return createAddress;
    }

    @Override
    public void initModule(String name, byte[] image) throws KernelException {
        record("initModule", name, image.clone());
    }

    @Override
    public void deleteModule(String name) throws KernelException {
        record("deleteModule", name);
    }

    @Override
    public byte[] readFile(String path) {
        return files.get(path);
    }

    @Override
    public int tainted() {
        return tainted;
    }

    @Override
    public void setTainted(int value) throws KernelException {
        record("setTainted", value);
        tainted = value;
    }

    @Override
    public void finitModule(String path, String params, int flags) throws KernelException {
        record("finitModule", path, params, flags);
    }

    @Override
    public void finitModuleImage(String name, byte[] image, String params, int flags) throws KernelException {
        record("finitModuleImage", name, image.clone(), params, flags);
    }

    @Override
    public void initModuleImage(byte[] image, String params) throws KernelException {
        record("initModuleImage", image.clone(), params);
    }
}
