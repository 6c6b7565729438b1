/**
 * Class-activation maps. {@link dev.torchsight.cam.Cam} is the engine (forward pass with the layers
 * tapped, targets scored, gradients only when the method uses them, ReLU, pytorch-grad-cam's scaling,
 * several layers averaged, eigen- and augmentation smoothing, token reshapes); {@link dev.torchsight.cam.CamMethod}
 * is the extension point, one small class per method ({@link dev.torchsight.cam.GradCam},
 * {@link dev.torchsight.cam.ScoreCam}, ... registered in {@link dev.torchsight.cam.CamMethods});
 * {@link dev.torchsight.cam.CamTarget} is a scoring function and {@link dev.torchsight.cam.Target} chooses
 * them per image; {@link dev.torchsight.cam.CamPipeline} is the folder pipeline. Results are plain Java
 * values; a call frees every native object it creates (see the {@code dev.torchsight.core} package docs).
 * One CAM may be used from many threads: calls on one model run one at a time and give the same maps
 * as one thread.
 */
package dev.torchsight.cam;
