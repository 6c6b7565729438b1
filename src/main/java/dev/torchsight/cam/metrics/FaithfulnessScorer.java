package dev.torchsight.cam.metrics;

import dev.torchsight.cam.Cam;
import dev.torchsight.cam.CamPipeline;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Target;
import dev.torchsight.core.Natives;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The faithfulness metrics of the folder pipeline, per map: deletion and insertion AUC, ROAD
 * (most- and least-relevant first, combined), the confidence change of the image multiplied by the map,
 * and the Spearman correlation with the map of a copy of the model with randomised weights (the sanity
 * check: lower means the map depends on what the model learned). Several methods are ranked by their
 * mean rank over these metrics.
 */
public final class FaithfulnessScorer implements CamPipeline.CamScorer {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Metric names in the report, with +1 where higher is more faithful and -1 where lower is. */
    public static final Map<String, Integer> DIRECTIONS = directions();

    private final java.util.function.Function<Cam, Faithfulness> metrics;

    private FaithfulnessScorer(java.util.function.Function<Cam, Faithfulness> metrics) {
        this.metrics = metrics;
    }

    /** With the metrics' defaults (see {@link Faithfulness.Builder}). */
    public static FaithfulnessScorer create() {
        return new FaithfulnessScorer(cam -> Faithfulness.builder(cam.model()).build());
    }

    /** With options of one's own, built per model. */
    public static FaithfulnessScorer of(java.util.function.Function<Cam, Faithfulness> metrics) {
        return new FaithfulnessScorer(metrics);
    }

    private static Map<String, Integer> directions() {
        Map<String, Integer> d = new LinkedHashMap<>();
        d.put("deletionAuc", -1);
        d.put("insertionAuc", 1);
        d.put("roadMostRelevantFirst", -1);
        d.put("roadLeastRelevantFirst", 1);
        d.put("roadCombined", 1);
        d.put("confidenceChange", 1);
        d.put("randomisationSpearman", -1);
        return java.util.Collections.unmodifiableMap(d);
    }

    @Override
    public List<Map<String, Double>> score(Cam cam, Tensor batch, Target target, List<CamResult> results) {
        Faithfulness f = metrics.apply(cam);
        List<DeletionInsertion> di = f.deletionInsertion(batch, results);
        List<RoadScore> road = f.road(batch, results);
        List<ConfidenceChange> change = f.confidenceChange(batch, results);
        RandomisationCheck check = f.modelRandomisation(cam, batch, target);
        List<Map<String, Double>> out = new ArrayList<>();
        for (int k = 0; k < results.size(); k++) {
            CamResult r = results.get(k);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("deletionAuc", di.get(k).deletionAuc());
            m.put("insertionAuc", di.get(k).insertionAuc());
            m.put("roadMostRelevantFirst", road.get(k).mostRelevantFirstAverage());
            m.put("roadLeastRelevantFirst", road.get(k).leastRelevantFirstAverage());
            m.put("roadCombined", road.get(k).combined());
            m.put("confidenceChange", change.get(k).change());
            for (MapSimilarity s : check.maps()) {
                if (s.imageIndex() == r.imageIndex() && s.rank() == r.rank()) {
                    m.put("randomisationSpearman", s.spearman());
                }
            }
            out.add(m);
        }
        return out;
    }

    /** Mean rank over the metrics (1 = best on a metric), best first; ties keep the given order. */
    @Override
    public List<String> rank(Map<String, Map<String, Double>> means) {
        Map<String, Double> rankSum = new LinkedHashMap<>();
        means.keySet().forEach(m -> rankSum.put(m, 0.0));
        for (var metric : DIRECTIONS.entrySet()) {
            List<String> order = new ArrayList<>(means.keySet());
            order.removeIf(m -> !means.get(m).containsKey(metric.getKey()));
            order.sort(Comparator.comparingDouble(m -> -metric.getValue() * means.get(m).get(metric.getKey())));
            for (int i = 0; i < order.size(); i++) {
                rankSum.merge(order.get(i), i + 1.0, Double::sum);
            }
        }
        List<String> ranked = new ArrayList<>(means.keySet());
        ranked.sort(Comparator.comparingDouble(rankSum::get));
        return ranked;
    }
}
