package org.modutils.insmod.modern.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The value parsers against the kernel's own expectations: the cases below are those of the
 * kernel's lib/test-kstrtox.c (ok and fail tables of kstrtou64/s64/u32/s32/u16/u8) and of
 * kstrtobool's documented inputs; the VM test (scripts/vm-dryrun-test.sh) checks the rest
 * against a running kernel.
 */
class KernelParsersTest {
    @Test
    void unsignedAcceptsWhatKstrtoullAccepts() {
        for (String ok : new String[] {"0", "1", "+1", "0x0", "0x1", "0X1f", "010", "0777", "1\n",
                "18446744073709551615", "0xffffffffffffffff"}) {
            assertEquals(null, KernelParsers.unsigned(ok, 0, 64), ok);
        }
    }

    @Test
    void unsignedRefusesWhatKstrtoullRefuses() {
        assertEquals("EINVAL", KernelParsers.unsigned("", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("\n", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("+", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("-", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("-0", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("-1", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned(" 0", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("0 ", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("08", 0, 64)); // octal
        assertEquals("EINVAL", KernelParsers.unsigned("0x", 0, 64));
        assertEquals("EINVAL", KernelParsers.unsigned("1\n\n", 0, 64));
        assertEquals("ERANGE", KernelParsers.unsigned("18446744073709551616", 0, 64));
        assertEquals("ERANGE", KernelParsers.unsigned("4294967296", 0, 32));
        assertEquals("ERANGE", KernelParsers.unsigned("65536", 0, 16));
        assertEquals("ERANGE", KernelParsers.unsigned("256", 0, 8));
        assertEquals(null, KernelParsers.unsigned("255", 0, 8));
    }

    @Test
    void signedRanges() {
        assertEquals(null, KernelParsers.signed("-2147483648", 32));
        assertEquals(null, KernelParsers.signed("2147483647", 32));
        assertEquals("ERANGE", KernelParsers.signed("2147483648", 32));
        assertEquals("ERANGE", KernelParsers.signed("-2147483649", 32));
        assertEquals(null, KernelParsers.signed("-9223372036854775808", 64));
        assertEquals("ERANGE", KernelParsers.signed("9223372036854775808", 64));
        assertEquals("EINVAL", KernelParsers.signed("-+1", 64));
        assertEquals("EINVAL", KernelParsers.signed("--1", 64));
        assertEquals(null, KernelParsers.signed("+1", 32));
        assertEquals(null, KernelParsers.signed("-0x10", 32));
        assertEquals("ERANGE", KernelParsers.signed("32768", 16));
    }

    @Test
    void booleansAsKstrtobool() {
        for (String ok : new String[] {"y", "Y", "yes", "n", "N", "no", "1", "0", "on", "off", "ON", "oF", "true", "f"})
            assertEquals(null, KernelParsers.bool(ok), ok);
        for (String bad : new String[] {"", "2", "x", "o", "oo", "-1"})
            assertEquals("EINVAL", KernelParsers.bool(bad), bad);
        assertEquals(null, KernelParsers.scalar("bool", null, true)); // "flag" alone means 1
        assertEquals("ENOSPC", KernelParsers.scalar("charp", "x".repeat(1025), true));
        assertEquals(null, KernelParsers.scalar("charp", "x".repeat(1024), true));
    }
}
