package dev.torchsight.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a UTF-8 text file, read one at a time: a leading byte-order mark is dropped, bytes that
 * are not UTF-8 or a NUL byte (a binary file) fail, and a line longer than the heap can hold fails
 * before it is built. Lines end at \n, \r\n or \r.
 */
final class TextLines implements AutoCloseable {
    private final InputFiles.Input input;
    private final BufferedReader reader;
    private final long maxLine;
    private int number;

    TextLines(InputFiles.Input input) {
        this.input = input;
        this.reader = new BufferedReader(new InputStreamReader(input.stream(), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        this.maxLine = Math.min(Integer.MAX_VALUE - 8, HeapBudget.available() / 8);
    }

    /** The number (1-based) of the line last returned. */
    int number() {
        return number;
    }

    /** The next line without its terminator, or null at the end. */
    String next() {
        try {
            StringBuilder line = new StringBuilder();
            int c = reader.read();
            if (c < 0) {
                return null;
            }
            while (c >= 0 && c != '\n' && c != '\r') {
                if (c == 0) {
                    throw input.source().error(number + 1, "line " + (number + 1)
                            + " holds a NUL byte: this is a binary file, not text");
                }
                if (c != '\uFEFF' || number > 0 || line.length() > 0) {
                    line.append((char) c);
                }
                if (line.length() > maxLine) {
                    throw input.source().error(number + 1, "line " + (number + 1) + " is longer than "
                            + maxLine + " characters; this is not a line-based text file (or give Java more heap with -Xmx)");
                }
                c = reader.read();
            }
            if (c == '\r') {
                reader.mark(1);
                if (reader.read() != '\n') {
                    reader.reset();
                }
            }
            number++;
            return line.toString();
        } catch (CharacterCodingException e) {
            throw input.source().error(number + 1, "line " + (number + 1) + " is not UTF-8 text; "
                    + "save the file as UTF-8 (a binary file cannot be read as text)");
        } catch (IOException e) {
            throw InputFiles.Input.failure(e, input.source(), input.gzip());
        }
    }

    @Override
    public void close() {
        input.close();
    }
}
