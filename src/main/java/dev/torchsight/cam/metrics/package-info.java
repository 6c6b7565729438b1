/**
 * Faithfulness metrics for class-activation maps: does a map point at what the model uses?
 * {@link dev.torchsight.cam.metrics.Faithfulness} is the entry point (options in its builder); each
 * metric returns one plain Java record per map: {@link dev.torchsight.cam.metrics.DeletionInsertion}
 * (RISE's curves), {@link dev.torchsight.cam.metrics.RoadScore} (ROAD with
 * {@link dev.torchsight.cam.metrics.NoisyLinearImputer}), {@link dev.torchsight.cam.metrics.ConfidenceChange}
 * (image times map) and, for the model-randomisation sanity check,
 * {@link dev.torchsight.cam.metrics.RandomisationCheck} of {@link dev.torchsight.cam.metrics.MapSimilarity}.
 * Definitions follow pytorch-grad-cam's metrics where it has them, so numbers are comparable with it.
 * {@link dev.torchsight.cam.metrics.Auc} and {@link dev.torchsight.cam.metrics.Similarity} are the
 * plain helpers behind them.
 */
package dev.torchsight.cam.metrics;
