package org.modutils.insmod.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * File names as insmod holds them: byte strings, one char per byte (ISO-8859-1), as the user
 * typed them. Java opens files by names in the locale's charset (sun.jnu.encoding), so a name is
 * decoded with it to become a {@link Path}. A name whose bytes are not text in that charset
 * (0xE4 under a UTF-8 or C locale) has no Path; {@link #forReading} then opens it with the C
 * library's open(2), as the original did, and names the open file /proc/self/fd/N.
 */
public final class FileNames {
    private FileNames() {}

    /** The /proc/self/fd paths opened by {@link #forReading}, with the byte names of their files. */
    private static final Map<Path, String> OPENED = new ConcurrentHashMap<>();

    /** The charset the JVM uses for file names and arguments. */
    public static Charset platformCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** The path named by the byte string {@code name}. */
    public static Path path(String name) throws InvalidPathException {
        byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
        String decoded;
        try {
            decoded = platformCharset().newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPathException(name, "cannot be opened: Java opens files only by names that are "
                    + "text in the locale's character set (" + platformCharset() + ")");
        }
        return Path.of(decoded);
    }

    /**
     * A path to read the file named {@code name} through: {@link #path} when the name is text in
     * the locale, else the file opened by its bytes. A file that cannot be opened that way is an
     * exception whose reason is strerror's text, as the original's "%m".
     */
    public static Path forReading(String name) throws IOException {
        try {
            return path(name);
        } catch (InvalidPathException e) {
            byte[] b = java.util.Arrays.copyOf(name.getBytes(StandardCharsets.ISO_8859_1), name.length() + 1);
            int fd;
            try {
                fd = LibC.get().open(b, LibC.O_RDONLY, 0);
            } catch (UnsatisfiedLinkError | RuntimeException noNative) {
                throw new FileSystemException(name, null, e.getReason());
            }
            if (fd < 0) {
                throw new FileSystemException(name, null, LibC.describe(LibC.errno()));
            }
            Path p = Path.of("/proc/self/fd/" + fd);
            OPENED.put(p, readlink(p.toString(), name));
            return p;
        }
    }

    /** The target of the symbolic link {@code link} as bytes, or {@code otherwise}. */
    private static String readlink(String link, String otherwise) {
        byte[] buf = new byte[4096];
        long n = LibC.get().readlink(link, buf, new com.sun.jna.NativeLong(buf.length)).longValue();
        return n > 0 && n < buf.length ? new String(buf, 0, (int) n, StandardCharsets.ISO_8859_1) : otherwise;
    }

    /** The canonical path of {@code p} (realpath(3)); a path from {@link #forReading} is its own. */
    public static Path realPath(Path p) throws IOException {
        return OPENED.containsKey(p) ? p : p.toRealPath();
    }

    /** The byte string of {@code p} (the inverse of {@link #path}; for {@link #forReading}'s, the file's name). */
    public static String name(Path p) {
        String opened = OPENED.get(p);
        if (opened != null) {
            return opened;
        }
        return new String(p.toString().getBytes(platformCharset()), StandardCharsets.ISO_8859_1);
    }
}
