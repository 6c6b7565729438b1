package dev.torchsight.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code DT_NEEDED} entries (the libraries a shared library asks the dynamic linker for) of a
 * 64-bit little-endian ELF file, reading only its headers and dynamic section. Anything else (another
 * platform's format, a damaged file) yields an empty list: the caller then loads without reordering.
 */
final class ElfDependencies {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;

    private ElfDependencies() {}

    /** Names of the libraries {@code file} needs, in the order the file lists them. */
    static List<String> needed(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(ch, 0, 64);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                return List.of();  // not ELF64 little-endian
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            if (phentsize < 56 || phnum > 4096) {
                return List.of();
            }
            ByteBuffer ph = read(ch, phoff, phentsize * phnum);
            long dynOffset = -1;
            long dynSize = 0;
            List<long[]> loads = new ArrayList<>();  // {vaddr, offset, filesz}
            for (int i = 0; i < phnum; i++) {
                int base = i * phentsize;
                int type = ph.getInt(base);
                if (type == PT_DYNAMIC) {
                    dynOffset = ph.getLong(base + 8);
                    dynSize = ph.getLong(base + 32);
                } else if (type == PT_LOAD) {
                    loads.add(new long[] {ph.getLong(base + 16), ph.getLong(base + 8), ph.getLong(base + 32)});
                }
            }
            if (dynOffset < 0 || dynSize <= 0 || dynSize > (1 << 20)) {
                return List.of();
            }
            ByteBuffer dyn = read(ch, dynOffset, (int) dynSize);
            long strtab = -1;
            List<Long> neededOffsets = new ArrayList<>();
            for (int at = 0; at + 16 <= dynSize; at += 16) {
                long tag = dyn.getLong(at);
                long value = dyn.getLong(at + 8);
                if (tag == DT_NULL) {
                    break;
                } else if (tag == DT_NEEDED) {
                    neededOffsets.add(value);
                } else if (tag == DT_STRTAB) {
                    strtab = value;
                }
            }
            long strtabOffset = fileOffset(strtab, loads);
            if (strtabOffset < 0) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (long offset : neededOffsets) {
                names.add(cString(ch, strtabOffset + offset));
            }
            return names;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static long fileOffset(long vaddr, List<long[]> loads) {
        for (long[] seg : loads) {
            if (vaddr >= seg[0] && vaddr < seg[0] + seg[2]) {
                return vaddr - seg[0] + seg[1];
            }
        }
        return -1;
    }

    private static String cString(FileChannel ch, long offset) throws IOException {
        ByteBuffer buf = read(ch, offset, (int) Math.min(4096, ch.size() - offset));
        int end = 0;
        while (end < buf.limit() && buf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end];
        buf.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                throw new IOException("truncated ELF file");
            }
        }
        return buf.flip();
    }
}
