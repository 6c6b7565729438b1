package dev.torchsight.io;

/**
 * The format and declared size of an encoded image, read from its header alone, so that a file
 * declaring 60000 x 60000 pixels is refused before a decoder tries to allocate them. Knows the formats
 * torchsight reads: PNG, JPEG, BMP, TIFF (and BigTIFF), WebP and PNM (P1-P6).
 *
 * @param format a short format name
 * @param width declared width in pixels
 * @param height declared height in pixels
 */
record ImageHeader(String format, long width, long height) {
    /** Thrown with a short reason (no file name) when the header is missing, truncated or unknown. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Parses the header at the start of {@code b}. */
    static ImageHeader parse(byte[] b) throws Invalid {
        if (b.length == 0) {
            throw new Invalid("empty file");
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            need(b, 24, "PNG");
            if (!(b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R')) {
                throw new Invalid("PNG without an IHDR header");
            }
            return sized("PNG", be32(b, 16), be32(b, 20));
        }
        if (startsWith(b, 0xFF, 0xD8)) {
            return jpeg(b);
        }
        if (startsWith(b, 'B', 'M')) {
            need(b, 26, "BMP");
            long dib = le32(b, 14);
            if (dib == 12) {
                return sized("BMP", le16(b, 18), le16(b, 20));
            }
            long h = (int) le32(b, 22);
            return sized("BMP", (int) le32(b, 18), Math.abs(h));
        }
        if (startsWith(b, 'I', 'I', '*', 0) || startsWith(b, 'M', 'M', 0, '*')) {
            return tiff(b, b[0] == 'I', false);
        }
        if (startsWith(b, 'I', 'I', '+', 0) || startsWith(b, 'M', 'M', 0, '+')) {
            return tiff(b, b[0] == 'I', true);
        }
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return webp(b);
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return pnm(b);
        }
        throw new Invalid("not a JPEG, PNG, BMP, TIFF, WebP or PNM image (unknown content)");
    }

    /**
     * Checks the structure a decoder would otherwise complain about on stderr: a PNG's chunks up to
     * IEND with their checksums, a JPEG's end marker after its scan data. Other formats pass.
     */
    static void requireComplete(byte[] b, ImageHeader header) throws Invalid {
        if (header.format().equals("PNG")) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            int p = 8;
            while (true) {
                if (p + 12 > b.length) {
                    throw new Invalid("truncated PNG (ends before its IEND chunk)");
                }
                long length = be32(b, p);
                if (length > b.length - p - 12) {
                    throw new Invalid("truncated PNG (a chunk runs past the end of the file)");
                }
                crc.reset();
                crc.update(b, p + 4, (int) length + 4);
                if (crc.getValue() != be32(b, p + 8 + (int) length)) {
                    throw new Invalid("corrupt PNG (checksum mismatch in chunk "
                            + new String(b, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^A-Za-z]", "?") + ")");
                }
                if (b[p + 4] == 'I' && b[p + 5] == 'E' && b[p + 6] == 'N' && b[p + 7] == 'D') {
                    requireImageData(b, header);
                    return;
                }
                p += 12 + (int) length;
            }
        }
        if (header.format().equals("BMP")) {
            requireBmpPixels(b, header);
            return;
        }
        if (header.format().equals("PNM")) {
            requirePnmPixels(b, header);
            return;
        }
        if (header.format().equals("JPEG")) {
            int scan = scanStart(b);
            for (int i = b.length - 2; i >= scan; i--) {
                if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
                    return;
                }
            }
            throw new Invalid("truncated JPEG (no end-of-image marker after the scan data)");
        }
    }

    /**
     * Inflates a PNG's image data (without keeping it) to check that it is valid zlib and, for
     * non-interlaced images, holds every row: libpng would otherwise print its complaint on stderr.
     */
    private static void requireImageData(byte[] b, ImageHeader header) throws Invalid {
        int depth = b[24] & 0xFF;
        int colour = b[25] & 0xFF;
        boolean interlaced = b[28] != 0;
        int channels = switch (colour) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new Invalid("corrupt PNG (unknown colour type " + colour + ")");
        };
        long rowBytes = (header.width() * channels * depth + 7) / 8;
        long expected = interlaced ? -1 : header.height() * (1 + rowBytes);
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        byte[] sink = new byte[1 << 16];
        long produced = 0;
        try {
            for (int p = 8; p + 12 <= b.length; ) {
                int length = (int) be32(b, p);
                boolean idat = b[p + 4] == 'I' && b[p + 5] == 'D' && b[p + 6] == 'A' && b[p + 7] == 'T';
                if (idat && length > 0) {
                    inflater.setInput(b, p + 8, length);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        int n = inflater.inflate(sink);
                        produced += n;
                        if (n == 0 && inflater.needsDictionary()) {
                            throw new Invalid("corrupt PNG (compressed data needs a dictionary)");
                        }
                        if (expected >= 0 && produced > expected) {
                            break;  // more than needed: libpng ignores the extra
                        }
                    }
                }
                p += 12 + length;
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new Invalid("corrupt PNG (bad compressed image data)");
        } finally {
            inflater.end();
        }
        if (produced == 0 || (expected >= 0 && produced < expected)) {
            throw new Invalid("truncated PNG (image data incomplete)");
        }
    }

    /** An uncompressed BMP must hold every row its header declares (OpenCV would log its read error). */
    private static void requireBmpPixels(byte[] b, ImageHeader header) throws Invalid {
        long dib = le32(b, 14);
        int bits;
        long compression = 0;
        if (dib == 12) {
            need(b, 26, "BMP");
            bits = le16(b, 24);
        } else {
            need(b, 34, "BMP");
            bits = le16(b, 28);
            compression = le32(b, 30);
        }
        if (compression != 0 && compression != 3) {
            return;  // run-length encoded: its size is not fixed by the header
        }
        if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
            throw new Invalid("corrupt BMP (" + bits + " bits per pixel)");
        }
        long stride = (header.width() * bits + 31) / 32 * 4;
        long needed = le32(b, 10) + stride * header.height();
        if (needed > b.length) {
            throw new Invalid("truncated BMP (" + b.length + " of " + needed + " bytes)");
        }
    }

    /** A PNM must hold every sample its header declares (OpenCV would log its read error). */
    private static void requirePnmPixels(byte[] b, ImageHeader header) throws Invalid {
        char kind = (char) b[1];
        int[] at = {2};
        long width = token(b, at);
        long height = token(b, at);
        long max = kind == '1' || kind == '4' ? 1 : token(b, at);
        if (width != header.width() || height != header.height() || max < 1 || max > 65535) {
            throw new Invalid("corrupt PNM header");
        }
        long channels = kind == '3' || kind == '6' ? 3 : 1;
        long samples = width * height * channels;
        if (kind >= '4') {
            long bytes = kind == '4' ? (width + 7) / 8 * height : samples * (max > 255 ? 2 : 1);
            if (at[0] + 1 + bytes > b.length) {
                throw new Invalid("truncated PNM (" + (b.length - at[0] - 1) + " of " + bytes + " data bytes)");
            }
            return;
        }
        long found = 0;
        for (int i = at[0]; i < b.length && found < samples; ) {
            if (b[i] == '#') {
                while (i < b.length && b[i] != '\n' && b[i] != '\r') {
                    i++;
                }
            } else if (kind == '1' && (b[i] == '0' || b[i] == '1')) {
                found++;
                i++;
            } else if (b[i] >= '0' && b[i] <= '9') {
                found++;
                while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                    i++;
                }
            } else {
                i++;
            }
        }
        if (found < samples) {
            throw new Invalid("truncated PNM (" + found + " of " + samples + " samples)");
        }
    }

    /** The next decimal number of a PNM header, skipping white space and comments; advances {@code at[0]}. */
    private static long token(byte[] b, int[] at) throws Invalid {
        int p = at[0];
        while (p < b.length && (Character.isWhitespace(b[p]) || b[p] == '#')) {
            if (b[p] == '#') {
                while (p < b.length && b[p] != '\n' && b[p] != '\r') {
                    p++;
                }
            } else {
                p++;
            }
        }
        int start = p;
        long v = 0;
        while (p < b.length && b[p] >= '0' && b[p] <= '9' && p - start < 12) {
            v = v * 10 + (b[p++] - '0');
        }
        if (p == start || p >= b.length || !Character.isWhitespace(b[p])) {
            throw new Invalid("truncated or corrupt PNM header");
        }
        at[0] = p;
        return v;
    }

    /** Position just after the first start-of-scan segment header of a JPEG. */
    private static int scanStart(byte[] b) throws Invalid {
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xFF) != 0xFF) {
                p++;
                continue;
            }
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                p += 2;
                continue;
            }
            int length = be16(b, p + 2);
            if (marker == 0xDA) {
                return Math.min(b.length, p + 2 + length);
            }
            p += 2 + Math.max(2, length);
        }
        throw new Invalid("truncated JPEG (no scan data)");
    }

    private static ImageHeader jpeg(byte[] b) throws Invalid {
        int p = 2;
        while (true) {
            while (p < b.length && (b[p] & 0xFF) != 0xFF) {
                p++;  // tolerate junk between segments, as decoders do
            }
            while (p < b.length && (b[p] & 0xFF) == 0xFF) {
                p++;
            }
            if (p >= b.length) {
                throw new Invalid("truncated JPEG (no frame header)");
            }
            int marker = b[p++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue;  // markers without a length
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new Invalid("JPEG without a frame header");
            }
            need(b, p + 2, "JPEG");
            int length = be16(b, p);
            if (length < 2) {
                throw new Invalid("corrupt JPEG segment length");
            }
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                need(b, p + 7, "JPEG");
                return sized("JPEG", be16(b, p + 5), be16(b, p + 3));
            }
            p += length;
        }
    }

    private static ImageHeader tiff(byte[] b, boolean little, boolean big) throws Invalid {
        need(b, big ? 16 : 8, "TIFF");
        long ifd = big ? u64(b, 8, little) : u32(b, 4, little);
        int countBytes = big ? 8 : 2;
        int entryBytes = big ? 20 : 12;
        if (ifd < 8 || ifd + countBytes > b.length) {
            throw new Invalid("truncated TIFF (directory outside the file)");
        }
        long count = big ? u64(b, (int) ifd, little) : u16(b, (int) ifd, little);
        long width = -1;
        long height = -1;
        for (long i = 0; i < count; i++) {
            long at = ifd + countBytes + i * entryBytes;
            if (at + entryBytes > b.length) {
                break;
            }
            int e = (int) at;
            int tag = u16(b, e, little);
            int type = u16(b, e + 2, little);
            int valueAt = e + (big ? 12 : 8);
            long value = switch (type) {
                case 3 -> u16(b, valueAt, little);
                case 4 -> u32(b, valueAt, little);
                case 16 -> u64(b, valueAt, little);
                default -> -1;
            };
            if (tag == 256) {
                width = value;
            } else if (tag == 257) {
                height = value;
            }
        }
        if (width < 0 || height < 0) {
            throw new Invalid("TIFF without image width and height");
        }
        return sized("TIFF", width, height);
    }

    private static ImageHeader webp(byte[] b) throws Invalid {
        need(b, 30, "WebP");
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        switch (chunk) {
            case "VP8 " -> {
                if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
                    throw new Invalid("corrupt WebP (lossy) header");
                }
                return sized("WebP", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
            }
            case "VP8L" -> {
                if ((b[20] & 0xFF) != 0x2F) {
                    throw new Invalid("corrupt WebP (lossless) header");
                }
                long bits = le32(b, 21);
                return sized("WebP", (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1);
            }
            case "VP8X" -> {
                long w = (b[24] & 0xFF) | (b[25] & 0xFF) << 8 | (b[26] & 0xFF) << 16;
                long h = (b[27] & 0xFF) | (b[28] & 0xFF) << 8 | (b[29] & 0xFF) << 16;
                return sized("WebP", w + 1, h + 1);
            }
            default -> throw new Invalid("corrupt WebP (unknown chunk)");
        }
    }

    private static ImageHeader pnm(byte[] b) throws Invalid {
        int[] at = {2};
        long width = token(b, at);
        long height = token(b, at);
        return sized("PNM", width, height);
    }

    private static ImageHeader sized(String format, long width, long height) throws Invalid {
        if (width < 1 || height < 1) {
            throw new Invalid(format + " header declares an empty image (" + width + " x " + height + ")");
        }
        return new ImageHeader(format, width, height);
    }

    private static void need(byte[] b, int length, String format) throws Invalid {
        if (b.length < length) {
            throw new Invalid("truncated " + format + " (header incomplete)");
        }
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int be16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long be32(byte[] b, int i) {
        return (long) be16(b, i) << 16 | be16(b, i + 2);
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static long le32(byte[] b, int i) {
        return le16(b, i) | (long) le16(b, i + 2) << 16;
    }

    private static int u16(byte[] b, int i, boolean little) {
        return i + 2 > b.length ? -1 : little ? le16(b, i) : be16(b, i);
    }

    private static long u32(byte[] b, int i, boolean little) {
        return i + 4 > b.length ? -1 : little ? le32(b, i) : be32(b, i);
    }

    private static long u64(byte[] b, int i, boolean little) {
        if (i + 8 > b.length) {
            return -1;
        }
        long lo = u32(b, little ? i : i + 4, little);
        long hi = u32(b, little ? i + 4 : i, little);
        return hi > Integer.MAX_VALUE ? Long.MAX_VALUE : hi << 32 | lo;
    }
}
