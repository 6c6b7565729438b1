package dev.torchsight.render;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.Labels;
import dev.torchsight.tsne.Embedding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A 2-D embedding as a scatter plot: one series per class in a qualitative palette, small markers,
 * a legend, no ticks, and a title ending in the run's elapsed time. Saved as PNG (at a chosen DPI) or SVG.
 *
 * <pre>{@code
 * ScatterPlot.of(embedding, labels).setTitle("layer4 feature map").save(Path.of("tsne.png"));
 * }</pre>
 */
public final class ScatterPlot {
    private final Embedding embedding;
    private final Labels labels;
    private String title = "t-SNE";
    private int width = DEFAULT_WIDTH;
    private int height = DEFAULT_HEIGHT;
    private int dpi = 150;
    private int markerSize = 4;
    private Embedding background;

    private ScatterPlot(Embedding embedding, Labels labels) {
        this.embedding = embedding;
        this.labels = labels;
    }

    /** A plot of an embedding; labels may be null (one series). */
    public static ScatterPlot of(Embedding embedding, Labels labels) {
        if (labels != null) {
            labels.requireCount(embedding.size(), "labels");
        }
        return new ScatterPlot(embedding, labels);
    }

    /** Draws this map's points in light grey behind the plotted ones (e.g. the reference of transformed points). */
    public ScatterPlot optBackground(Embedding background) {
        this.background = background;
        return this;
    }

    /** Title; the elapsed time of the run is appended. */
    public ScatterPlot setTitle(String title) {
        this.title = title;
        return this;
    }

    /** Smallest and largest PNG resolution. */
    public static final int MIN_DPI = 36;
    /** Largest PNG resolution. */
    public static final int MAX_DPI = 1200;
    private static final int DEFAULT_WIDTH = 900;
    private static final int DEFAULT_HEIGHT = 760;

    /** Resolution of PNG output (default 150). */
    public ScatterPlot optDpi(int dpi) {
        requireDpi(dpi, width, height);
        this.dpi = dpi;
        return this;
    }

    /**
     * Fails unless a PNG of the default size at {@code dpi} can be drawn: the resolution is in range
     * and the image fits in the Java heap. Lets a caller check before a long run.
     */
    public static void requireDpi(int dpi) {
        requireDpi(dpi, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    private static void requireDpi(int dpi, int width, int height) {
        if (dpi < MIN_DPI || dpi > MAX_DPI) {
            throw new TorchsightException(TorchsightException.Kind.DPI, dpi,
                    "DPI must be between " + MIN_DPI + " and " + MAX_DPI + ", got " + dpi);
        }
        long pixels = (long) Math.ceil(width * dpi / 72.0) * (long) Math.ceil(height * dpi / 72.0);
        long bytes = pixels * 8;  // the ARGB raster and the encoder's working copy
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new TorchsightException(TorchsightException.Kind.DPI, dpi, String.format(Locale.ROOT,
                    "a plot at %d DPI needs %d MiB but the Java heap is %d MiB; use a lower DPI or raise the heap "
                            + "(java -Xmx8g -jar ...)", dpi, bytes >> 20, heap >> 20));
        }
    }

    /** Plot size in points (1/72 inch; default 900 x 760). */
    public ScatterPlot optSize(int width, int height) {
        if (width < 1 || height < 1 || width > 20_000 || height > 20_000) {
            throw new TorchsightException(TorchsightException.Kind.GENERAL, width + "x" + height,
                    "plot size must be between 1 and 20000 points per side, got " + width + " x " + height);
        }
        requireDpi(dpi, width, height);
        this.width = width;
        this.height = height;
        return this;
    }

    /** Marker diameter in points (default 4). */
    public ScatterPlot optMarkerSize(int size) {
        this.markerSize = size;
        return this;
    }

    /** The full title as drawn: the given title and the elapsed time. */
    public String fullTitle() {
        return String.format(Locale.ROOT, "%s (t-SNE %d points%s, %.1f s)", title, embedding.size(),
                embedding.dimensions() == 3 ? ", 3-D seen from azimuth 45\u00b0, elevation 30\u00b0" : "",
                embedding.elapsedSeconds());
    }

    /** Builds the XChart chart (for embedding in a Swing UI or further styling). */
    public XYChart chart() {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(fullTitle()).build();
        XYStyler style = chart.getStyler();
        style.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        style.setMarkerSize(markerSize);
        style.setLegendVisible(labels != null);
        style.setLegendPosition(Styler.LegendPosition.OutsideE);
        style.setAxisTicksVisible(false);
        style.setPlotGridLinesVisible(false);
        style.setChartBackgroundColor(java.awt.Color.WHITE);
        style.setPlotBorderVisible(true);
        int classes = labels == null ? 1 : labels.classNames().size();
        List<List<Double>> xs = new ArrayList<>();
        List<List<Double>> ys = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            xs.add(new ArrayList<>());
            ys.add(new ArrayList<>());
        }
        if (background != null) {
            double[] behind = Projection.screen(background);
            List<Double> bx = new ArrayList<>(background.size());
            List<Double> by = new ArrayList<>(background.size());
            for (int i = 0; i < background.size(); i++) {
                bx.add(behind[2 * i]);
                by.add(behind[2 * i + 1]);
            }
            XYSeries s = chart.addSeries("reference map", bx, by);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new java.awt.Color(0xD0, 0xD0, 0xD0));
        }
        double[] screen = Projection.screen(embedding);  // a 3-D map is drawn from a fixed viewpoint
        for (int i = 0; i < embedding.size(); i++) {
            int c = labels == null ? 0 : labels.codes()[i];
            xs.get(c).add(screen[2 * i]);
            ys.get(c).add(screen[2 * i + 1]);
        }
        for (int c = 0; c < classes; c++) {
            if (xs.get(c).isEmpty()) {
                continue;
            }
            String name = labels == null ? "points" : labels.classNames().get(c);
            XYSeries s = chart.addSeries(name, xs.get(c), ys.get(c));
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(Palette.color(c));
        }
        return chart;
    }

    /** Writes the plot as PNG or SVG, chosen by the file's extension; atomically. */
    public void save(Path file) {
        try (AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            save(file, files);
            files.commit();
        }
    }

    /**
     * Writes the plot (PNG or SVG, by the file's extension) as part of {@code files}: it appears under
     * its name when the transaction commits.
     */
    public void save(Path file, AtomicFiles.Transaction files) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new TorchsightException(TorchsightException.Kind.OUTPUT, file, "unknown plot format: "
                    + file.getFileName() + "; use a .png or .svg file name");
        }
        XYChart chart = chart();
        files.stage(file, tmp -> {
            if (svg) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, tmp.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                BitmapEncoder.saveBitmapWithDPI(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG, dpi);
            }
        });
    }
}
