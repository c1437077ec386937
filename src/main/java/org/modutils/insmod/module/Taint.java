package org.modutils.insmod.module;

import org.modutils.insmod.kernel.KernelException;

/** check_tainted_module: warn for a non-GPL or missing license and for -f; set the bits on a real load. */
final class Taint {
    public static final String URL = "http://www.tux.org/lkml/#s1-18";
    private static final int PROPRIETARY = 1, FORCED = 2;

    private final Session s;
    private boolean headerShown;

    private Taint(Session s) {
        this.s = s;
    }

    static void check(Session s) {
        new Taint(s).run();
    }

    private void run() {
        int old = -1;
        try {
            old = s.kernel.tainted();
        } catch (KernelException e) {
            s.log.info("/proc/sys/kernel/tainted: " + e.getMessage());
        }
        boolean hasTaint = old >= 0;
        int taint = 0;
        ModInfo.License lic = ModInfo.license(s.f);
        if (lic.missing()) {
            if (hasTaint) {
                warn("no license", "");
                taint |= PROPRIETARY;
            }
        } else if (!lic.gpl()) {
            warn("non-GPL license - ", lic.text());
            taint |= PROPRIETARY;
        }
        if (s.req.has(LoadRequest.Option.FORCE)) {
            warn("forced load", "");
            taint |= FORCED;
        }
        if (taint != 0 && hasTaint && !s.req.noload()) {
            try {
                s.kernel.setTainted(old | taint);
            } catch (KernelException e) {
                s.log.info("/proc/sys/kernel/tainted: " + e.getMessage());
            }
        }
    }

    private void warn(String text1, String text2) {
        s.log.info("Warning: loading " + s.req.fileName() + " will taint the kernel: " + text1 + text2);
        s.warnings++;
        if (!headerShown) {
            s.log.info("  See " + URL + " for information about tainted modules");
            headerShown = true;
        }
    }
}
