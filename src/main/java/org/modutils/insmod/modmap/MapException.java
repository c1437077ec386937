package org.modutils.insmod.modmap;

/** A load map cannot be made: the message is one line for the user, naming the file at fault. */
public final class MapException extends Exception {
    public MapException(String message) {
        super(message, null, false, false);
    }
}
