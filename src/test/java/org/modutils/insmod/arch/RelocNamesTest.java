package org.modutils.insmod.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Our messages name relocation types as the psABI (and GNU readelf) do. */
class RelocNamesTest {
    @Test
    void namesFollowThePsAbi() {
        assertEquals("R_386_32", new I386().relocName(1));
        assertEquals("R_X86_64_PC32", new X86_64().relocName(2));
        assertEquals("R_ARM_CALL", new Arm().relocName(28));
        assertEquals("R_PPC64_REL24", new Ppc64().relocName(10));
        assertEquals("R_PPC_REL24", new Ppc().relocName(10));
        assertEquals("R_ALPHA_GPDISP", new Alpha().relocName(6));
        assertEquals("R_IA64_PCREL21B", new Ia64().relocName(0x49));
    }

    @Test
    void anUnknownTypeIsNamedByNumber() {
        assertEquals("type 250", new I386().relocName(250));
    }
}
