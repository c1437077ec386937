package org.modutils.insmod.cli;

public final class Insmod {
    private Insmod() {}
    public static int run(String[] args) { return 1; }
}
