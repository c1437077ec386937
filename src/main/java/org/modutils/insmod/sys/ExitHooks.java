package org.modutils.insmod.sys;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shutdown hooks that a normal exit must run, counted: the tools end with Runtime.halt (quicker
 * than System.exit, see cli.Main) only while none is registered.
 */
public final class ExitHooks {
    private ExitHooks() {}

    private static final AtomicInteger REGISTERED = new AtomicInteger();

    /** Registers {@code hook} with the JVM and counts it. */
    public static void add(Thread hook) {
        Runtime.getRuntime().addShutdownHook(hook);
        REGISTERED.incrementAndGet();
    }

    /** Unregisters {@code hook} (added by {@link #add}). */
    public static void remove(Thread hook) {
        if (Runtime.getRuntime().removeShutdownHook(hook)) {
            REGISTERED.decrementAndGet();
        }
    }

    /** Whether a hook added here is still registered. */
    public static boolean pending() {
        return REGISTERED.get() != 0;
    }
}
