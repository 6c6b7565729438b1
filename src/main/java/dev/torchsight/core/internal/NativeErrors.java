package dev.torchsight.core.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libtorch's own reason for a failure, as one line for a {@code TorchsightException}'s message.
 * libtorch's messages carry a C++ backtrace ("Exception raised from ... frame #0: ...") and, from the
 * TorchScript interpreter, a script traceback whose last "SomethingError: ..." line is the reason.
 */
public final class NativeErrors {
    private static final int MAX_LENGTH = 300;
    private static final Pattern SCRIPT_ERROR = Pattern.compile("(?m)^\\s*(?:[A-Za-z_.]*Error|Exception): (.+)$");

    private NativeErrors() {}

    /** The reason in one line (at most 300 characters), without backtrace; "unknown error" when empty. */
    public static String reason(Throwable error) {
        String message = error == null ? null : error.getMessage();
        if (message == null || message.isBlank()) {
            return error == null ? "unknown error" : error.getClass().getSimpleName();
        }
        String line = null;
        if (message.contains("Traceback of TorchScript") || message.contains("TorchScript interpreter")) {
            Matcher m = SCRIPT_ERROR.matcher(message);
            while (m.find()) {
                line = m.group(1);  // the last one is the innermost failure
            }
        }
        if (line == null) {
            for (String candidate : message.split("\\R")) {
                if (!candidate.isBlank()) {
                    line = candidate;
                    break;
                }
            }
        }
        int backtrace = line.indexOf("Exception raised from ");
        if (backtrace >= 0) {
            line = line.substring(0, backtrace);
        }
        line = line.strip();
        if (line.isEmpty()) {
            return "unknown error";
        }
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line;
    }
}
