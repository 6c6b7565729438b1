package dev.torchsight.core;

/**
 * The one exception torchsight throws for problems a user can fix: bad input, a wrong option, a
 * resource that does not fit. Its message is a single line that says what is wrong and how to fix
 * it; the CLI prints it and exits with code 2.
 */
public class TorchsightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line: what is wrong and how to fix it */
    public TorchsightException(String message) {
        super(message);
    }

    /** @param message one line: what is wrong and how to fix it
     *  @param cause the underlying error */
    public TorchsightException(String message, Throwable cause) {
        super(message, cause);
    }
}
