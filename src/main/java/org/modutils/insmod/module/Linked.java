package org.modutils.insmod.module;

import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.kernel.KernelException;
import org.modutils.insmod.link.LinkSection;
import org.modutils.insmod.link.LoadMap;
import org.modutils.insmod.link.ObjFile;
import org.modutils.insmod.report.UserError;

/**
 * A 2.4 module linked for its kernel: what {@link Insmod24#link} returns. On a real load the
 * kernel has reserved its memory (create_module); {@link #handOver} gives it the image
 * (init_module), {@link #abandon} frees the reservation after a failure on the tool's side.
 */
public final class Linked {
    /** How the linking ended. */
    public enum Outcome {
        /** The image is ready ({@link #image}). */
        LINKED,
        /** -p: the module would load; nothing was reserved. */
        PROBED,
        /** With the lock, a concurrent insmod loaded the module first: success, nothing more to do. */
        ALREADY_LOADED,
        /** The kernel cannot read persistent data back: the original stops here, without an image. */
        NO_PERSIST_SUPPORT
    }

    /** The original's advice after a failed init_module (an lprintf line). */
    public static final String INIT_MODULE_HINT = "Hint: insmod errors can be caused by incorrect module parameters,"
            + " including invalid IO or IRQ parameters.\n      You may find more information in syslog or the output"
            + " from dmesg";

    private final Session s;
    private final Outcome outcome;
    private final byte[] image;
    private final long address;

    Linked(Session s, Outcome outcome, byte[] image, long address) {
        this.s = s;
        this.outcome = outcome;
        this.image = image;
        this.address = address;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The relocated image, its first bytes the struct module; null unless {@link Outcome#LINKED}. */
    public byte[] image() {
        return image;
    }

    /** Where the image goes (create_module's answer, or the -n dummy address). */
    public long address() {
        return address;
    }

    /** The module name the kernel knows it by. */
    public String moduleName() {
        return s.req.moduleName();
    }

    /** Warnings given while linking (licence, -f, version mismatch, parameters). */
    public int warnings() {
        return s.warnings;
    }

    /** The persistent-data file in use, or null. */
    public String persistFile() {
        return s.persist;
    }

    /** The load map (-m) as the original prints it, Latin-1, without trailing white space. */
    public byte[] loadMap() {
        return LoadMap.bytes(s.f);
    }

    /** The names the module exports to the kernel (its __ksymtab), in order. */
    public List<String> exports() {
        List<String> out = new ArrayList<>();
        ObjFile f = s.f;
        LinkSection sec = f.find("__ksymtab");
        LinkSection strings = f.find(".kstrtab");
        if (sec == null || strings == null || image == null) {
            return out;
        }
        int w = s.target.wordSize();
        for (long at = 0; at + 2L * w <= sec.size; at += 2L * w) {
            long name = f.read(sec, at + w, w) - strings.addr;
            byte[] c = strings.contents();
            int e = (int) name;
            while (e < c.length && c[e] != 0) {
                e++;
            }
            out.add(new String(c, (int) name, e - (int) name, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    /** init_module(2) with the image; on failure the reservation is kept (call {@link #abandon}). */
    public void handOver() throws UserError {
        try {
            s.kernel.initModule(s.req.moduleName(), image);
        } catch (KernelException e) {
            throw new UserError("init_module: " + e.getMessage());
        }
    }

    /** delete_module after a failure once the kernel reserved memory (-n: nothing to do). */
    public void abandon() {
        s.deleteAfterFailure();
    }
}
