package org.modutils.insmod.kernel;

/** The same frame-level checks on the ARM (OABI) port, under qemu-arm-static. */
class AgentRobustnessArmTest extends AgentRobustnessTest {
    @Override
    protected String arch() {
        return "arm";
    }

    @Override
    protected String archName() {
        return "arm";
    }
}
