package dev.torchsight.model;

import java.util.List;

/**
 * One named submodule of a model, as {@code torchsight layers} lists it.
 *
 * @param name dotted path, e.g. "layer4.1.conv2"
 * @param type the TorchScript class name, e.g. "Conv2d"
 * @param outputShape output shape for the probe input, or null when it returned no single tensor or did not run
 * @param note why there is no shape, or null
 */
public record LayerInfo(String name, String type, List<Long> outputShape, String note) {
    /** True when the output is a 4-D spatial map (N x C x H x W) usable by Grad-CAM. */
    public boolean isSpatialMap() {
        return outputShape != null && outputShape.size() == 4;
    }
}
