/**
 * Class-activation maps: {@link dev.torchsight.cam.CamMethod} (the template: forward, target score,
 * gradient at the tapped layer, weights, map), {@link dev.torchsight.cam.GradCam} and
 * {@link dev.torchsight.cam.Target}. Results are plain Java values; a call frees every native object it
 * creates (see the {@code dev.torchsight.core} package docs). One CAM may be used from many threads:
 * calls on one model run one at a time and give the same maps as one thread.
 */
package dev.torchsight.cam;
