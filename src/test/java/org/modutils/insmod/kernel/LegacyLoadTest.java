package org.modutils.insmod.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LegacyLoadTest {
    /** A stand-in for the linker: the image encodes the address it was relocated to. */
    private static byte[] imageAt(long address) {
        return new byte[] {(byte) address, (byte) (address >> 8), (byte) (address >> 16), (byte) (address >> 24)};
    }

    @Test
    void createsWithTheSizeRelocatesAtTheReturnedAddressAndInits() throws Exception {
        RecordingKernel k = new RecordingKernel();
        k.createAddress = 0xc88a0000L;
        long addr = LegacyLoad.load(k, "hello", 1234, LegacyLoadTest::imageAt);
        assertEquals(0xc88a0000L, addr);
        assertEquals(List.of("createModule", "initModule"), k.methods());
        assertEquals(List.of("hello", 1234L), k.calls.get(0).args());
        assertEquals("hello", k.calls.get(1).arg(0));
        assertArrayEquals(new byte[] {0, 0, (byte) 0x8a, (byte) 0xc8}, (byte[]) k.calls.get(1).arg(1));
    }

    @Test
    void failingInitDeletesTheModuleAndKeepsTheErrno() {
        RecordingKernel k = new RecordingKernel();
        k.failWith.put("initModule", Errno.ENODEV);
        LegacyLoad.InitModuleFailed e = assertThrows(LegacyLoad.InitModuleFailed.class,
                () -> LegacyLoad.load(k, "hello", 100, LegacyLoadTest::imageAt));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals(List.of("createModule", "initModule", "deleteModule"), k.methods());
        assertEquals(List.of("hello"), k.calls.get(2).args());
        assertTrue(LegacyLoad.INIT_MODULE_HINT.startsWith("Hint: insmod errors can be caused by incorrect module parameters"));
    }

    @Test
    void failingRelocationDeletesTheModuleAndRethrows() {
        RecordingKernel k = new RecordingKernel();
        IllegalStateException boom = new IllegalStateException("relocation out of range");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LegacyLoad.load(k, "hello", 100, a -> { throw boom; }));
        assertSame(boom, e);
        assertEquals(List.of("createModule", "deleteModule"), k.methods());
    }

    @Test
    void failingCreateNeitherInitsNorDeletes() {
        RecordingKernel k = new RecordingKernel();
        k.failWith.put("createModule", Errno.EEXIST);
        KernelException e = assertThrows(KernelException.class,
                () -> LegacyLoad.load(k, "hello", 100, LegacyLoadTest::imageAt));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(List.of("createModule"), k.methods());
    }
}
