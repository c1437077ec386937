package org.modutils.insmod.sys;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns a Java I/O exception back into the strerror(3) text the C original would print with
 * {@code %m}, so messages read the same ("Permission denied", "Read-only file system").
 */
public final class IoReasons {
    private IoReasons() {}

    /** The strerror-style reason for {@code e}, never null. */
    public static String of(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (e instanceof FileNotFoundException && m != null && m.endsWith(")") && m.lastIndexOf(" (") >= 0) {
            m = m.substring(m.lastIndexOf(" (") + 2, m.length() - 1); // java.io's "PATH (REASON)"
        }
        if (m == null) {
            return "Input/output error";
        }
        for (String known : new String[] {"Is a directory", "Read-only file system", "No space left on device",
                "Too many levels of symbolic links", "File name too long"}) {
            if (m.contains(known)) {
                return known;
            }
        }
        return m;
    }
}
