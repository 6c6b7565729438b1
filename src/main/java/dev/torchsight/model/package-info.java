/**
 * TorchScript models: {@link dev.torchsight.model.Model} (loading, forward passes, layer listing),
 * {@link dev.torchsight.model.LayerTap} (one layer's output during the normal forward pass) and
 * {@link dev.torchsight.model.FeatureExtractor} (one layer's output for a whole data set).
 * Native memory follows the rule in the {@code dev.torchsight.core} package docs: a {@code Model}
 * frees everything it opened in {@code close()}, returned tensors are the caller's, arguments are
 * only read. A model may be shared between threads; its passes run one at a time.
 */
package dev.torchsight.model;
