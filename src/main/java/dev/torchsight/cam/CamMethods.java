package dev.torchsight.cam;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The methods by name: the one place a new method is registered. */
public final class CamMethods {
    private static final Map<String, Supplier<CamMethod>> METHODS = new LinkedHashMap<>();

    static {
        register(GradCam::new);
        register(HiResCam::new);
        register(GradCamElementwise::new);
        register(GradCamPlusPlus::new);
        register(XGradCam::new);
        register(LayerCam::new);
        register(ShapleyCam::new);
        register(FinerCam::new);
        register(EigenCam::new);
        register(EigenGradCam::new);
        register(KpcaCam::new);
        register(FullGrad::new);
        register(ScoreCam::new);
        register(AblationCam::new);
    }

    private CamMethods() {}

    private static void register(Supplier<CamMethod> method) {
        METHODS.put(method.get().name(), method);
    }

    /** Every method's name, in a stable order (gradient methods first, the slow perturbation ones last). */
    public static List<String> names() {
        return List.copyOf(METHODS.keySet());
    }

    /**
     * A new instance of the named method (case-insensitive).
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} for an unknown name
     */
    public static CamMethod byName(String name) {
        Supplier<CamMethod> m = METHODS.get(name.toLowerCase(Locale.ROOT).strip());
        if (m == null) {
            throw new TorchsightException(Kind.METHOD, name, "unknown CAM method '" + name + "'; use one of "
                    + String.join(", ", names()));
        }
        return m.get();
    }

    /** A new instance of every method. */
    public static List<CamMethod> all() {
        return METHODS.values().stream().map(Supplier::get).toList();
    }
}
