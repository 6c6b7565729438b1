package dev.torchsight.io;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
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
    private final Reader reader;
    private final long maxLine;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;
    private boolean skipLf;
    private int number;

    TextLines(InputFiles.Input input) {
        this.input = input;
        this.reader = new InputStreamReader(input.stream(), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        this.maxLine = Math.min(Integer.MAX_VALUE - 8, HeapBudget.available() / 8);
    }

    /** The number (1-based) of the line last returned. */
    int number() {
        return number;
    }

    /** The next line without its terminator, or null at the end. */
    String next() {
        try {
            StringBuilder line = null;
            while (true) {
                if (pos == end) {
                    end = reader.read(buf, 0, buf.length);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        if (line == null) {
                            return null;
                        }
                        return finish(line);
                    }
                }
                if (skipLf) {
                    skipLf = false;
                    if (buf[pos] == '\n') {
                        pos++;
                        continue;
                    }
                }
                int start = pos;
                while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
                    if (buf[pos] == 0) {
                        throw input.source().error(number + 1, "line " + (number + 1)
                                + " holds a NUL byte: this is a binary file, not text");
                    }
                    pos++;
                }
                line = line == null ? new StringBuilder(Math.max(16, pos - start)) : line;
                line.append(buf, start, pos - start);
                if (line.length() > maxLine) {
                    throw input.source().error(number + 1, "line " + (number + 1) + " is longer than " + maxLine
                            + " characters; this is not a line-based text file (or give Java more heap with -Xmx)");
                }
                if (pos < end) {
                    skipLf = buf[pos] == '\r';
                    pos++;
                    return finish(line);
                }
            }
        } catch (CharacterCodingException e) {
            throw input.source().error(number + 1, "line " + (number + 1) + " is not UTF-8 text; "
                    + "save the file as UTF-8 (a binary file cannot be read as text)");
        } catch (IOException e) {
            throw InputFiles.Input.failure(e, input.source(), input.gzip());
        }
    }

    private String finish(StringBuilder line) {
        number++;
        if (number == 1 && line.length() > 0 && line.charAt(0) == '\uFEFF') {
            line.deleteCharAt(0);
        }
        return line.toString();
    }

    @Override
    public void close() {
        input.close();
    }
}
