package org.modutils.insmod.kernel.remote;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A serial device on the host: put into raw 8N1 mode at the given speed with stty(1), then used as a file. */
public final class SerialLink {
    private SerialLink() {}

    public static Link open(String device, int speed) throws IOException {
        List<String> cmd = List.of("stty", "-F", device, Integer.toString(speed), "raw", "-echo", "-echoe", "-echok",
                "-ixon", "-ixoff", "-crtscts", "cs8", "-parenb", "-cstopb", "clocal", "cread", "min", "1", "time", "0");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run stty to set up " + device + ": " + e.getMessage());
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IOException("stty could not set " + device + " to " + speed + " baud raw mode"
                        + (out.isEmpty() ? "" : ": " + out));
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting up " + device);
        }
        FileInputStream in = new FileInputStream(device);
        FileOutputStream out;
        try {
            out = new FileOutputStream(device);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new StreamLink(in, out, device + "," + speed, null) {
            @Override
            public long wireMillis(int bytes) {
                return bytes * 10_000L / speed;             // 8N1: ten bits a byte
            }
        };
    }
}
