package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LinuxKernel's logic around the system calls, through a fake {@link Sys} that answers like the
 * 2.4 kernel's sys_query_module (kernel/module.c): QM_MODULES names NUL-separated with ret =
 * count, QM_INFO a struct module_info, QM_SYMBOLS {value, name offset} pairs followed by the
 * strings with ret = count, and ENOSPC with ret = bytes needed when the buffer is short.
 */
class LinuxKernelTest {
    @TempDir
    Path root;

    static final class FakeSys implements Sys {
        final int word;
        final ByteOrder order;
        Integer queryErrno; // answer for the probe call
        final Map<String, Long> addr = new LinkedHashMap<>();
        final Map<String, List<KernelSymbol>> syms = new LinkedHashMap<>();
        final List<String> log = new ArrayList<>();
        final List<String> vanished = new ArrayList<>();
        Integer createErrno;
        Integer finitErrno;

        FakeSys(int word, ByteOrder order) {
            this.word = word;
            this.order = order;
        }

        @Override public int wordSize() { return word; }
        @Override public ByteOrder byteOrder() { return order; }
        @Override public String machine() { return "i686"; }

        private void putWord(ByteBuffer b, long v) {
            if (word == 8) b.putLong(v); else b.putInt((int) v);
        }

        private byte[] answer(String name, int which, long[] count) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(order);
            if (which == LinuxKernel.QM_MODULES) {
                for (String m : addr.keySet()) b.put((m + "\0").getBytes(StandardCharsets.US_ASCII));
                count[0] = addr.size();
            } else if (which == LinuxKernel.QM_INFO) {
                putWord(b, addr.get(name));
                putWord(b, 4096);
                putWord(b, 1);
                putWord(b, 0);
                count[0] = 4L * word;
            } else {
                List<KernelSymbol> list = syms.get(name == null ? "" : name);
                int strings = list.size() * 2 * word;
                ByteArrayOutputStream names = new ByteArrayOutputStream();
                for (KernelSymbol s : list) {
                    putWord(b, s.value());
                    putWord(b, strings + names.size());
                    names.writeBytes((s.name() + "\0").getBytes(StandardCharsets.US_ASCII));
                }
                b.put(names.toByteArray());
                count[0] = list.size();
            }
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        }

        @Override
        public void queryModule(String name, int which, byte[] buf, long[] ret) throws ErrnoException {
            log.add("query " + name + " " + which + " " + (buf == null ? 0 : buf.length));
            if (which == 0) {
                if (queryErrno != null) throw new ErrnoException(queryErrno);
                ret[0] = 0;
                return;
            }
            if (name != null && vanished.contains(name)) throw new ErrnoException(Errno.ENOENT);
            long[] count = new long[1];
            byte[] a = answer(name, which, count);
            if (buf == null || buf.length < a.length) {
                ret[0] = a.length;
                throw new ErrnoException(Errno.ENOSPC);
            }
            System.arraycopy(a, 0, buf, 0, a.length);
            ret[0] = count[0];
        }

        @Override
        public long createModule(String name, long size) throws ErrnoException {
            log.add("create " + name + " " + size);
            if (createErrno != null) throw new ErrnoException(createErrno);
            return 0xc8800000L;
        }

        @Override public void initModuleLegacy(String name, byte[] image) { log.add("init " + name + " " + image.length); }
        @Override public void deleteModule(String name, int flags) { log.add("delete " + name + " " + flags); }
        @Override public void initModule(byte[] image, String params) { log.add("init_module " + image.length + " '" + params + "'"); }

        @Override
        public void finitModule(int fd, String params, int flags) throws ErrnoException {
            log.add("finit " + fd + " '" + params + "' " + flags);
            if (finitErrno != null) throw new ErrnoException(finitErrno);
        }

        @Override public int open(String path) { log.add("open " + path); return 7; }
        @Override public int memfdCreate(String name) { log.add("memfd " + name); return 9; }
        @Override public void writeAll(int fd, byte[] data) { log.add("write " + fd + " " + data.length); }
        @Override public void close(int fd) { log.add("close " + fd); }
    }

    private LinuxKernel kernel(FakeSys sys, int firstBuffer) {
        return new LinuxKernel(root, () -> sys, firstBuffer);
    }

    private static FakeSys twoModules(int word, ByteOrder order) {
        FakeSys s = new FakeSys(word, order);
        s.addr.put("newer", 0xd0900000L);
        s.addr.put("older", 0xd0800000L);
        s.syms.put("newer", List.of(new KernelSymbol(0xd0900060L, "newer_fn")));
        s.syms.put("older", List.of(new KernelSymbol(0xd0800060L, "older_fn"), new KernelSymbol(0xd0800200L, "older_var")));
        s.syms.put("", List.of(new KernelSymbol(0xc0118f20L, "printk_R1b7d4074"), new KernelSymbol(0xc011a000L, "kmalloc")));
        return s;
    }

    @Test
    void querySymbolsGrowsTheBufferOnEnospcAndDecodes32BitLittleEndian() throws Exception {
        FakeSys s = twoModules(4, ByteOrder.LITTLE_ENDIAN);
        KernelSymbols k = kernel(s, 8).symbols();
        assertEquals(List.of("newer", "older"), k.modules().stream().map(LoadedModule::name).toList());
        assertEquals(0xd0900000L, k.modules().get(0).address());
        assertEquals(List.of(new KernelSymbol(0xd0800060L, "older_fn"), new KernelSymbol(0xd0800200L, "older_var")),
                k.modules().get(1).symbols());
        assertEquals(List.of(new KernelSymbol(0xc0118f20L, "printk_R1b7d4074"), new KernelSymbol(0xc011a000L, "kmalloc")),
                k.kernel());
        // QM_MODULES: 8 bytes are too few for "newer\0older\0" (12): ENOSPC, then exactly 12
        assertTrue(s.log.contains("query null 1 8"), s.log.toString());
        assertTrue(s.log.contains("query null 1 12"), s.log.toString());
        // kernel symbols: 2 * 8 bytes of pairs + "printk_R1b7d4074\0kmalloc\0" (17 + 8) = 41
        assertTrue(s.log.contains("query null 4 41"), s.log.toString());
    }

    @Test
    void decodes64BitBigEndian() throws Exception {
        FakeSys s = twoModules(8, ByteOrder.BIG_ENDIAN);
        s.addr.put("newer", 0xffffffffa0900000L);
        KernelSymbols k = kernel(s, 4096).symbols();
        assertEquals(0xffffffffa0900000L, k.modules().get(0).address());
        assertEquals("older_var", k.modules().get(1).symbols().get(1).name());
    }

    @Test
    void aModuleThatVanishesMeanwhileIsSkipped() throws Exception {
        FakeSys s = twoModules(4, ByteOrder.LITTLE_ENDIAN);
        s.vanished.add("newer");
        KernelSymbols k = kernel(s, 4096).symbols();
        assertEquals(List.of("older"), k.modules().stream().map(LoadedModule::name).toList());
    }

    @Test
    void legacyMeansQueryModuleExists() {
        FakeSys s = new FakeSys(4, ByteOrder.LITTLE_ENDIAN);
        assertTrue(kernel(s, 64).legacy());
        s.queryErrno = Errno.EPERM;
        assertTrue(kernel(s, 64).legacy());
        s.queryErrno = Errno.ENOSYS;
        assertFalse(kernel(s, 64).legacy());
        assertFalse(new LinuxKernel(root, () -> { throw new KernelException(0, "no table"); }, 64).legacy());
    }

    @Test
    void withoutQueryModuleSymbolsComeFromProcKsyms() throws Exception {
        FakeSys s = new FakeSys(4, ByteOrder.LITTLE_ENDIAN);
        s.queryErrno = Errno.ENOSYS;
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/ksyms"), "c0118f20 printk\nd0810000 __insmod_m_O/m.o_M0_V1\t[m]\n");
        KernelSymbols k = kernel(s, 64).symbols();
        assertEquals(0xd0810000L, k.modules().get(0).address());
        Files.delete(root.resolve("proc/ksyms"));
        assertThrows(KernelException.class, () -> kernel(s, 64).symbols());
    }

    @Test
    void createModuleSpeaksLikeTheOriginal() {
        FakeSys s = new FakeSys(4, ByteOrder.LITTLE_ENDIAN);
        s.createErrno = Errno.EEXIST;
        KernelException e = assertThrows(KernelException.class, () -> kernel(s, 64).createModule("hello", 4242));
        assertEquals("a module named hello already exists", e.getMessage());
        s.createErrno = Errno.ENOMEM;
        e = assertThrows(KernelException.class, () -> kernel(s, 64).createModule("hello", 4242));
        assertEquals("can't allocate kernel memory for module; needed 4242 bytes", e.getMessage());
        s.createErrno = Errno.EPERM;
        e = assertThrows(KernelException.class, () -> kernel(s, 64).createModule("hello", 4242));
        assertEquals("create_module: Operation not permitted", e.getMessage());
    }

    @Test
    void finitOnAMemfdWritesThenLoadsThenCloses() throws Exception {
        FakeSys s = new FakeSys(8, ByteOrder.LITTLE_ENDIAN);
        kernel(s, 64).finitModuleImage("hello", new byte[100], "a=1", 3);
        assertEquals(List.of("memfd hello", "write 9 100", "finit 9 'a=1' 3", "close 9"), s.log);
    }

    @Test
    void finitClosesTheFileAlsoOnFailure() {
        FakeSys s = new FakeSys(8, ByteOrder.LITTLE_ENDIAN);
        s.finitErrno = Errno.EEXIST;
        KernelException e = assertThrows(KernelException.class, () -> kernel(s, 64).finitModule("/m/hello.ko", "", 0));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("close 7", s.log.get(s.log.size() - 1));
    }

    @Test
    void procFilesAndTaint() throws Exception {
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "2.4.27\n");
        Files.writeString(root.resolve("proc/sys/kernel/tainted"), "0\n");
        LinuxKernel k = kernel(new FakeSys(4, ByteOrder.LITTLE_ENDIAN), 64);
        assertEquals("2.4.27", k.release());
        assertEquals(0, k.tainted());
        k.setTainted(3);
        assertEquals(3, k.tainted());
        assertNull(k.readFile("/proc/ksyms"));
        assertArrayEquals("3\n".getBytes(StandardCharsets.US_ASCII), k.readFile("/proc/sys/kernel/tainted"));
    }
}
