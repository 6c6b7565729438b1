/**
 * What every torchsight package relies on: native loading, {@link dev.torchsight.core.Device},
 * {@link dev.torchsight.core.Threads}, and {@link dev.torchsight.core.TorchsightException}.
 *
 * <h2>Who closes native memory</h2>
 * A {@code Tensor} (libtorch), {@code Mat} (OpenCV) or {@code JitModule} holds native memory that the
 * Java garbage collector neither sees nor hurries to free, so torchsight never leaves it to the
 * collector. The rule, in the spirit of DJL's {@code NDManager} tree, is built on JavaCPP's
 * {@link org.bytedeco.javacpp.PointerScope}, which attaches every native object a thread creates to
 * the innermost scope that thread has open and frees it when the scope closes:
 * <ol>
 *   <li><b>Results are the caller's, as if the caller had created them.</b> A native object a
 *       torchsight method returns is new (never a view torchsight frees later). It is attached to the
 *       caller's innermost open {@code PointerScope} and freed with it; when the caller has no scope
 *       open, the caller closes it (try-with-resources). Examples: {@code Model.forward},
 *       {@code Model.predict}, {@code LayerTap.value}, {@code Preprocessing.apply} and {@code batch},
 *       {@code FeatureExtractor.extract}, {@code Overlay.resizeMap} and {@code jet}.</li>
 *   <li><b>Arguments are borrowed.</b> A tensor or image passed to torchsight is only read during the
 *       call (or drawn on, where the method says so); torchsight never closes it and keeps no
 *       reference to it after the call returns.</li>
 *   <li><b>Temporaries die with the call.</b> Every method frees the native objects it creates for its
 *       own use before it returns, also when it throws. Callbacks that supply tensors (e.g.
 *       {@code FeatureExtractor.Batches}) run inside a scope of the library's: what they create is
 *       freed after the batch.</li>
 *   <li><b>Owners close what they open.</b> An {@code AutoCloseable} torchsight object (a
 *       {@code Model}) owns every native object it opens, however internal (a {@code Model} holds one
 *       handle per submodule), and its {@code close()} frees them all, at once; closing twice is
 *       harmless and using it after {@code close()} throws a {@code TorchsightException}.</li>
 *   <li><b>Java results hold no native memory.</b> {@code CamResult}, {@code Embedding},
 *       {@code LayerInfo} and the like are plain Java values.</li>
 * </ol>
 * <pre>{@code
 * try (Model model = Model.load(Path.of("resnet34.pt"));
 *      PointerScope scope = new PointerScope()) {         // frees every tensor below
 *     Tensor batch = Preprocessing.imagenet(224).batch(images);
 *     List<CamResult> maps = GradCam.at(model, "layer4").explain(batch, Target.topClass());
 *     Tensor logits = model.predict(batch);
 * }
 * }</pre>
 *
 * <h2>Process-wide state</h2>
 * torchsight changes nothing process-wide that its caller did not ask for: it does not reseed torch's
 * global random generator (what needs randomness draws from a generator of its own, so results stay
 * deterministic), and libtorch's thread count changes only through {@link dev.torchsight.core.Threads#configure}.
 *
 * <h2>Threads</h2>
 * Library objects may be used from several threads. A {@code Model} serialises the calls that run it
 * (a forward pass with its taps, a CAM's forward pass, tap read and gradient), so one model shared by
 * many threads gives the same results as one thread; load one model per thread for parallel work.
 */
package dev.torchsight.core;
