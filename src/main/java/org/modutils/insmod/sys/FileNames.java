package org.modutils.insmod.sys;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * File names as insmod holds them: byte strings, one char per byte (ISO-8859-1), as the user
 * typed them. Java opens files by names in the locale's charset (sun.jnu.encoding), so a name is
 * decoded with it to become a {@link Path}; a name whose bytes are not valid in that charset
 * cannot be opened through Java at all (a JDK limit), and says so.
 */
public final class FileNames {
    private FileNames() {}

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

    /** The byte string of {@code p} (the inverse of {@link #path}). */
    public static String name(Path p) {
        return new String(p.toString().getBytes(platformCharset()), StandardCharsets.ISO_8859_1);
    }
}
