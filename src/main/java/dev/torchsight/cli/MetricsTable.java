package dev.torchsight.cli;

import dev.torchsight.cam.metrics.FaithfulnessScorer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The summary table of {@code gradcam --metrics}: one row per method (best first when ranked), the mean of each metric. */
final class MetricsTable {
    private MetricsTable() {}

    static void print(PrintWriter out, Map<String, Map<String, Double>> means, List<String> ranking) {
        List<String> rows = ranking.isEmpty() ? new ArrayList<>(means.keySet()) : ranking;
        List<String> metrics = new ArrayList<>(FaithfulnessScorer.DIRECTIONS.keySet());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-4s %-20s", "rank", "method"));
        for (String m : metrics) {
            head.append(String.format(Locale.ROOT, " %12s", abbreviation(m) + (FaithfulnessScorer.DIRECTIONS.get(m) > 0 ? " ^" : " v")));
        }
        out.println(head);
        for (int i = 0; i < rows.size(); i++) {
            String method = rows.get(i);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-4s %-20s",
                    ranking.isEmpty() ? "" : Integer.toString(i + 1), method));
            for (String m : metrics) {
                Double v = means.get(method).get(m);
                line.append(v == null ? String.format(Locale.ROOT, " %12s", "-") : String.format(Locale.ROOT, " %12.4f", v));
            }
            out.println(line);
        }
        out.println("^ higher is more faithful, v lower is; means over all maps (report.json has each map's values)");
    }

    private static String abbreviation(String metric) {
        return switch (metric) {
            case "deletionAuc" -> "deletion";
            case "insertionAuc" -> "insertion";
            case "roadMostRelevantFirst" -> "ROAD MoRF";
            case "roadLeastRelevantFirst" -> "ROAD LeRF";
            case "roadCombined" -> "ROAD";
            case "confidenceChange" -> "conf.change";
            case "randomisationSpearman" -> "rand.rho";
            default -> metric;
        };
    }
}
