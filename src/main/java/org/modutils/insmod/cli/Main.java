package org.modutils.insmod.cli;

public final class Main {
    public static void main(String[] args) {
        System.exit(Insmod.run(args));
    }
}
