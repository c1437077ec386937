package org.modutils.insmod.modern;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.modutils.insmod.kernel.Errno;

/**
 * {@code --verify=CERT[,CERT]}: does a module's appended signature verify against one of these
 * X.509 certificates (PEM or DER)? The one check behind insmod's and modinfo's --verify.
 */
public final class SignatureCheck {
    private SignatureCheck() {}

    /** ok, with what verified; or not, with the reason. */
    public record Result(boolean ok, String message) {}

    /** Checks the (uncompressed) module {@code image}. */
    public static Result verify(byte[] image, List<String> certFiles) {
        Split s = Split.of(image);
        return verify(s.sig(), s.problem(), certFiles);
    }

    /** A module's appended signature ({@code sig}), or why its trailer is unusable ({@code problem}); both null: unsigned. */
    public record Split(ModuleSignature sig, String problem) {
        /** Splits the (uncompressed) module {@code image}. */
        public static Split of(byte[] image) {
            try {
                return new Split(ModuleSignature.of(image), null);
            } catch (ModuleSignature.BadSignatureException e) {
                return new Split(null, e.getMessage());
            }
        }
    }

    /** Checks an already split signature ({@code problem}: why the trailer is unusable, or null). */
    public static Result verify(ModuleSignature sig, String problem, List<String> certFiles) {
        List<X509Certificate> certs = new ArrayList<>();
        for (String f : certFiles) {
            try (InputStream in = Files.newInputStream(Paths.get(f))) {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (java.security.cert.Certificate c : cf.generateCertificates(in)) certs.add((X509Certificate) c);
            } catch (IOException e) {
                return new Result(false, "cannot read certificate " + f + ": " + ioReason(e));
            } catch (CertificateException | RuntimeException e) {
                return new Result(false, "certificate " + f + " is not an X.509 certificate (PEM or DER): " + e.getMessage());
            }
        }
        if (certs.isEmpty()) return new Result(false, "no certificate found in " + String.join(", ", certFiles));
        if (problem != null) return new Result(false, problem);
        if (sig == null) return new Result(false, "the module is unsigned");
        try {
            CmsSignature.Verdict v = CmsSignature.verify(sig, certs);
            return new Result(v.ok(), v.message());
        } catch (ModuleSignature.BadSignatureException e) {
            return new Result(false, e.getMessage());
        }
    }

    private static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) return Errno.text(Errno.ENOENT);
        if (e instanceof AccessDeniedException) return Errno.text(13);
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
