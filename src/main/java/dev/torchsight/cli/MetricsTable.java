package dev.torchsight.cli;

import dev.torchsight.cam.CamPipeline;
import java.io.PrintWriter;
import java.util.Map;

/** The faithfulness metrics of {@code gradcam --metrics}: the scorer and the summary table. */
final class MetricsTable {
    private MetricsTable() {}

    static CamPipeline.CamScorer scorer() {
        throw new UnsupportedOperationException("metrics not wired yet");
    }

    static void print(PrintWriter out, Map<String, Map<String, Double>> metrics) {
        metrics.forEach((method, values) -> out.println(method + " " + values));
    }
}
