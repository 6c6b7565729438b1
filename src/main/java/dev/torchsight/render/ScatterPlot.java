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
    private int width = 900;
    private int height = 760;
    private int dpi = 150;
    private int markerSize = 4;

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

    /** Title; the elapsed time of the run is appended. */
    public ScatterPlot setTitle(String title) {
        this.title = title;
        return this;
    }

    /** Resolution of PNG output (default 150). */
    public ScatterPlot optDpi(int dpi) {
        if (dpi < 36 || dpi > 1200) {
            throw new TorchsightException("DPI must be between 36 and 1200, got " + dpi);
        }
        this.dpi = dpi;
        return this;
    }

    /** Plot size in points (1/72 inch; default 900 x 760). */
    public ScatterPlot optSize(int width, int height) {
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
        return String.format(Locale.ROOT, "%s (t-SNE %d points, %.1f s)", title, embedding.size(),
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
        for (int i = 0; i < embedding.size(); i++) {
            int c = labels == null ? 0 : labels.codes()[i];
            xs.get(c).add(embedding.x(i));
            ys.get(c).add(embedding.y(i));
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
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new TorchsightException("unknown plot format: " + file.getFileName() + "; use a .png or .svg file name");
        }
        XYChart chart = chart();
        AtomicFiles.write(file, tmp -> {
            if (svg) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, tmp.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                BitmapEncoder.saveBitmapWithDPI(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG, dpi);
            }
        });
    }
}
