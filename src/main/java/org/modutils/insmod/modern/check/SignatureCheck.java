package org.modutils.insmod.modern.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.modutils.insmod.modern.CmsSignature;
import org.modutils.insmod.modern.ModuleSignature;

/**
 * The kernel's module_sig_check, as far as userspace sees it: does the module carry the
 * appended signature, does the kernel enforce signatures (sig_enforce, lockdown), does one of
 * the keys it shows in /proc/keys match the signer; with --verify, does the signature verify.
 * Returns whether the kernel would count the module as properly signed (for the E taint).
 */
final class SignatureCheck {
    private SignatureCheck() {}

    static boolean run(byte[] image, KernelView k, List<String> certs, List<Finding> out) {
        ModuleSignature sig;
        try {
            sig = ModuleSignature.of(image);
        } catch (ModuleSignature.BadSignatureException e) {
            out.add(Finding.error("signature", "the module's signature is damaged (" + e.getMessage() + "): the"
                    + " kernel refuses it (EBADMSG) even without enforcement; re-sign it or strip it"));
            return false;
        }
        Boolean enforced = k.sigEnforced();
        String lockdown = k.lockdown();
        boolean locked = lockdown != null && !lockdown.equals("none");
        if (!certs.isEmpty()) verify(sig, certs, out);
        if (sig == null) {
            out.add(unsigned(enforced, locked, lockdown));
            return false;
        }
        List<CmsSignature.Signer> signers;
        try {
            signers = CmsSignature.signers(sig);
        } catch (ModuleSignature.BadSignatureException e) {
            out.add(Finding.error("signature", "the module's signature is damaged (" + e.getMessage() + "): the"
                    + " kernel refuses it (EBADMSG); re-sign it or strip it"));
            return false;
        }
        CmsSignature.Signer who = signers.get(0);
        List<String> keys = k.keys();
        String key = keys == null ? null : trustedKey(who, keys);
        if (key != null) {
            out.add(Finding.pass("signature", "signed by " + who + "; the kernel has the key '" + key + "'"));
            return true;
        }
        boolean strict = Boolean.TRUE.equals(enforced) || locked;
        if (keys == null || keys.isEmpty()) {
            out.add(Finding.note("signature", "signed by " + who + "; whether the kernel has that key cannot be seen"
                    + " (its keyrings are not visible in /proc/keys to this user)"));
            return true;
        }
        if (strict)
            out.add(Finding.error("signature", "Loading of module with unavailable key is rejected -- signed by "
                    + who + ", a key the kernel does not have (its keys: " + String.join("; ", keys) + ")"));
        else
            out.add(Finding.pass("signature", "signed by " + who + ", a key the kernel does not have; it does not"
                    + " enforce signatures"));
        return false;
    }

    /** The verdict on an unsigned module: refused where signatures are enforced or the kernel is locked down. */
    private static Finding unsigned(Boolean enforced, boolean locked, String lockdown) {
        if (Boolean.TRUE.equals(enforced))
            return Finding.error("signature", "Loading of unsigned module is rejected -- the kernel enforces"
                    + " module signatures (module.sig_enforce=1) and the module carries none: sign it with a key"
                    + " the kernel trusts (scripts/sign-file)");
        if (locked)
            return Finding.error("signature", "Lockdown: unsigned module loading is restricted -- the kernel is"
                    + " locked down (" + lockdown + ") and the module carries no signature: sign it with a key"
                    + " the kernel trusts");
        return Finding.pass("signature", "unsigned; the kernel does not enforce signatures"
                + (enforced == null ? " (as far as can be seen)" : ""));
    }

    /** The description of a key in the kernel's keyrings that is the signer's, or null. */
    static String trustedKey(CmsSignature.Signer who, List<String> keys) {
        String id = who.keyId().replace(":", "").toLowerCase(Locale.ROOT);
        String cn = who.signer().toLowerCase(Locale.ROOT);
        for (String key : keys) {
            String d = key.toLowerCase(Locale.ROOT);
            if ((id.length() >= 8 && d.contains(id)) || d.startsWith(cn + ":") || d.startsWith(cn + " ")) return key;
        }
        return null;
    }

    private static void verify(ModuleSignature sig, List<String> files, List<Finding> out) {
        List<X509Certificate> certs = new ArrayList<>();
        for (String f : files) {
            try (InputStream in = Files.newInputStream(Paths.get(f))) {
                for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in))
                    certs.add((X509Certificate) c);
            } catch (IOException | CertificateException | RuntimeException e) {
                out.add(Finding.error("verify", "--verify: cannot read certificate " + f + ": " + e.getMessage()));
                return;
            }
        }
        if (sig == null) {
            out.add(Finding.error("verify", "--verify: the module is unsigned"));
            return;
        }
        try {
            CmsSignature.Verdict v = CmsSignature.verify(sig, certs);
            out.add(v.ok() ? Finding.pass("verify", v.message()) : Finding.error("verify", "--verify: " + v.message()));
        } catch (ModuleSignature.BadSignatureException e) {
            out.add(Finding.error("verify", "--verify: " + e.getMessage()));
        }
    }
}
