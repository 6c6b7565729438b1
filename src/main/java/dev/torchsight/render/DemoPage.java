package dev.torchsight.render;

import dev.torchsight.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A self-contained HTML page of figures with one-line captions (relative links only). */
public final class DemoPage {
    private final String title;
    private final List<String> body = new ArrayList<>();

    /** A page with a title. */
    public DemoPage(String title) {
        this.title = title;
    }

    /** A figure: an image file next to the page and its caption. */
    public DemoPage add(String image, String caption) {
        body.add("<figure><img src=\"" + escape(image) + "\" alt=\"" + escape(caption) + "\"><figcaption>"
                + escape(caption) + "</figcaption></figure>");
        return this;
    }

    /** A paragraph. */
    public DemoPage addText(String text) {
        body.add("<p>" + escape(text) + "</p>");
        return this;
    }

    /** A link to a file next to the page. */
    public DemoPage addLink(String file, String text) {
        body.add("<p><a href=\"" + escape(file) + "\">" + escape(file) + "</a>: " + escape(text) + "</p>");
        return this;
    }

    /** Writes the page atomically. */
    public void write(Path file) {
        String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
                + "img{max-width:100%;border:1px solid #ddd}figure{margin:2em 0}figcaption{color:#333}</style>"
                + "</head>\n<body><h1>" + escape(title) + "</h1>\n" + String.join("\n", body) + "\n</body></html>\n";
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, html, StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
