package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Versions;
import dev.torchsight.io.EmbeddedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What the outputs show, checked against something the code under test did not produce: the SVG plot
 * against the embedding file of the same run, the versions against the pom and the native libraries'
 * own reports.
 */
class OutputsTest {
    @TempDir
    Path dir;

    /** One marker drawn in the SVG: centre and fill. */
    private record Marker(double cx, double cy, String fill) { }

    /** A point of the embedding file: coordinates and class name. */
    private record Point(double x, double y, String label) { }

    /**
     * The SVG is the embedding: one marker per point inside the plot frame, the markers of each class
     * in one colour of their own, their centres an exact affine image of the embedding's coordinates
     * (x to the right, y up), and a legend entry (marker and label) in each class's colour. XChart
     * writes text as glyph outlines, so the legend's words themselves cannot be read back from the SVG.
     */
    @Test
    void svgPlotDrawsEveryPointOfTheEmbeddingInItsClassColour() throws Exception {
        Path svg = dir.resolve("plot.svg");
        Path csv = dir.resolve("emb.csv");
        CliRunner.Result r = CliRunner.run("tsne", "--limit", "300", "--iterations", "250", "--out", svg.toString(),
                "--embedding-out", csv.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Document doc = parse(svg);

        // The plot frame is the clip rectangle of the group holding the data markers.
        Element clip = (Element) doc.getElementsByTagName("clipPath").item(0);
        Element frame = (Element) clip.getElementsByTagName("rect").item(0);
        double left = attr(frame, "x");
        double top = attr(frame, "y");
        double right = left + attr(frame, "width");
        double bottom = top + attr(frame, "height");
        Element plotGroup = null;
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("clip-path").contains(clip.getAttribute("id"))) {
                plotGroup = g;
            }
        }
        assertTrue(plotGroup != null, "a group clipped to the plot frame");
        List<Marker> markers = markers(plotGroup.getElementsByTagName("ellipse"));
        List<Point> points = readCsv(csv);
        assertEquals(300, points.size());
        assertEquals(points.size(), markers.size(), "one marker per embedded point");
        for (Marker m : markers) {
            assertTrue(m.cx() >= left && m.cx() <= right && m.cy() >= top && m.cy() <= bottom, "inside the frame: " + m);
        }

        // One series per class, in class-code order; within a series, points in file order.
        List<String> classes = EmbeddedData.FASHION_MNIST_CLASSES;
        List<Point> bySeries = new ArrayList<>();
        List<String> seriesFills = new ArrayList<>();
        int at = 0;
        for (String name : classes) {
            List<Point> ofClass = points.stream().filter(p -> p.label().equals(name)).toList();
            if (ofClass.isEmpty()) {
                continue;
            }
            String fill = markers.get(at).fill();
            for (int i = 0; i < ofClass.size(); i++) {
                assertEquals(fill, markers.get(at + i).fill(), name + ": every marker of a class in its colour");
            }
            seriesFills.add(fill);
            bySeries.addAll(ofClass);
            at += ofClass.size();
        }
        assertEquals(seriesFills.size(), new LinkedHashSet<>(seriesFills).size(), "a colour of its own per class");
        assertEquals(10, seriesFills.size(), "300 Fashion-MNIST images hold all ten classes");

        // Marker centres = a * embedding + b on each axis, exactly (y flipped: SVG's y grows downward).
        double[] fx = affineFit(bySeries.stream().mapToDouble(Point::x).toArray(), markers.stream().mapToDouble(Marker::cx).toArray());
        double[] fy = affineFit(bySeries.stream().mapToDouble(Point::y).toArray(), markers.stream().mapToDouble(Marker::cy).toArray());
        assertTrue(fx[0] > 0 && fy[0] < 0, "x to the right, y up: scales " + fx[0] + ", " + fy[0]);
        assertTrue(fx[2] < 1e-6 && fy[2] < 1e-6, "markers are the embedding's points, off by " + fx[2] + ", " + fy[2] + " px");
        assertTrue(fx[0] * spread(bySeries.stream().mapToDouble(Point::x).toArray()) > 0.8 * (right - left),
                "the points fill the frame's width");

        // The legend: one marker per class outside the frame, in the series' colours and order, each
        // followed by its label (a glyph-outline path).
        List<Marker> legend = new ArrayList<>();
        for (Marker m : markers(doc.getElementsByTagName("ellipse"))) {
            if (m.cx() > right) {
                legend.add(m);
            }
        }
        assertEquals(seriesFills, legend.stream().map(Marker::fill).toList(), "legend entries in class order");
        NodeList ellipses = doc.getElementsByTagName("ellipse");
        for (int i = 0; i < ellipses.getLength(); i++) {
            Element e = (Element) ellipses.item(i);
            if (attr(e, "cx") > right) {
                Node next = e.getParentNode().getNextSibling();
                while (next != null && next.getNodeType() != Node.ELEMENT_NODE) {
                    next = next.getNextSibling();
                }
                assertTrue(next instanceof Element label && label.getElementsByTagName("path").getLength() == 1
                        && ((Element) label.getElementsByTagName("path").item(0)).getAttribute("d").length() > 100,
                        "a label drawn next to legend marker " + i);
            }
        }
    }

    /**
     * torchsight's version is the one in pom.xml (read here, not from the build's filtered resource);
     * libtorch's and OpenCV's are what the loaded native libraries report about themselves, and
     * libtorch's is 2.10.x.
     */
    @Test
    void infoReportsTheVersionsThePomAndLibtorchThemselvesDeclare() throws Exception {
        Document pom = parse(Path.of("pom.xml"));
        String pomVersion = null;
        for (Node n = pom.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("version")) {
                pomVersion = e.getTextContent().strip();
            }
        }
        assertTrue(pomVersion != null && !pomVersion.isEmpty() && !pomVersion.contains("$"), "project version in pom.xml");
        assertEquals(pomVersion, Versions.torchsight());

        Natives.ensureLoaded();
        String config = torch.show_config().getString();
        Matcher m = Pattern.compile("TORCH_VERSION=([0-9]+\\.[0-9]+\\.[0-9]+)").matcher(config);
        assertTrue(m.find(), "libtorch's build settings name its version: " + config);
        String libtorch = m.group(1);
        assertTrue(libtorch.startsWith("2.10."), "libtorch 2.10.x, got " + libtorch);

        CliRunner.Result r = CliRunner.run("info");
        assertEquals(0, r.code(), r.err());
        Map<String, String> rows = new HashMap<>();
        for (String line : r.out().split("\n")) {
            if (line.length() > 21) {
                rows.put(line.substring(0, 21).strip(), line.substring(21).strip());
            }
        }
        assertEquals(pomVersion, rows.get("torchsight"), r.out());
        assertEquals(libtorch, rows.get("libtorch"), r.out());
        // OpenCV's own runtime report, e.g. "4.13.0".
        assertEquals(org.bytedeco.opencv.global.opencv_core.getVersionString().getString().replace("\0", "").strip(), rows.get("OpenCV"), r.out());
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        // The SVG's DOCTYPE names the W3C DTD: never fetch it.
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(file.toFile());
    }

    private static List<Marker> markers(NodeList ellipses) {
        List<Marker> out = new ArrayList<>();
        for (int i = 0; i < ellipses.getLength(); i++) {
            Element e = (Element) ellipses.item(i);
            Matcher fill = Pattern.compile("fill:([^;]+)").matcher(e.getAttribute("style"));
            out.add(new Marker(attr(e, "cx"), attr(e, "cy"), fill.find() ? fill.group(1) : ""));
        }
        return out;
    }

    private static double attr(Element e, String name) {
        return Double.parseDouble(e.getAttribute(name));
    }

    private static List<Point> readCsv(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("x,y,label", lines.get(0));
        List<Point> points = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", 3);
            points.add(new Point(Double.parseDouble(cells[0]), Double.parseDouble(cells[1]), cells[2]));
        }
        return points;
    }

    /** Least squares v = a * u + b: returns {a, b, largest absolute residual}. */
    private static double[] affineFit(double[] u, double[] v) {
        int n = u.length;
        double mu = 0;
        double mv = 0;
        for (int i = 0; i < n; i++) {
            mu += u[i] / n;
            mv += v[i] / n;
        }
        double suv = 0;
        double suu = 0;
        for (int i = 0; i < n; i++) {
            suv += (u[i] - mu) * (v[i] - mv);
            suu += (u[i] - mu) * (u[i] - mu);
        }
        double a = suv / suu;
        double b = mv - a * mu;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(a * u[i] + b - v[i]));
        }
        return new double[] {a, b, worst};
    }

    private static double spread(double[] values) {
        return java.util.Arrays.stream(values).max().orElse(0) - java.util.Arrays.stream(values).min().orElse(0);
    }
}
