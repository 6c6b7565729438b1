package dev.torchsight.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether progress bars are drawn: only when stderr is an interactive terminal. Redirected to a
 * file or a pipe, stderr holds nothing but notices and the one-line error.
 */
final class Terminal {
    private static final boolean STDERR_IS_TERMINAL = detect();

    private Terminal() {}

    /** True when a progress bar should be drawn (not {@code --quiet}, and stderr is a terminal). */
    static boolean showProgress(boolean quiet) {
        return !quiet && STDERR_IS_TERMINAL;
    }

    private static boolean detect() {
        try {
            Path fd2 = Path.of("/proc/self/fd/2");
            if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (Exception e) {
            // not Linux, or not allowed to look: fall back below
        }
        return System.console() != null;
    }
}
