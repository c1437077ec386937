package org.modutils.insmod.kernel;

/** The same frame-level checks on the MIPS o32 port (little endian), under qemu-mipsel-static. */
class AgentRobustnessMipselTest extends AgentRobustnessTest {
    @Override
    protected String arch() {
        return "mipsel";
    }

    @Override
    protected String archName() {
        return "mips";
    }
}
