package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Turns a transformer layer's tokens (N x T x D) into a spatial map (N x D x H x W), as
 * pytorch-grad-cam's reshape transforms do, so every CAM method works on ViT- and Swin-style models.
 * Applied to the activations and to their gradients alike.
 */
public final class Reshape {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final int height;
    private final int width;

    private Reshape(int height, int width) {
        this.height = height;
        this.width = width;
    }

    /** ViT: drops the class token and lays the rest out on a square grid (T - 1 must be a square). */
    public static Reshape vit() {
        return new Reshape(0, 0);
    }

    /**
     * Tokens on a {@code height} x {@code width} grid; a leading class token (T = H * W + 1) is dropped,
     * T = H * W (Swin) is taken as is.
     */
    public static Reshape grid(int height, int width) {
        if (height < 1 || width < 1) {
            throw new TorchsightException(Kind.INPUT, null, "a token grid needs positive sizes, got " + height + " x " + width);
        }
        return new Reshape(height, width);
    }

    /**
     * Parses {@code vit} or {@code HxW} (e.g. {@code 14x14}).
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} for anything else
     */
    public static Reshape parse(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("vit")) {
            return vit();
        }
        String[] parts = t.split("x");
        try {
            if (parts.length == 2) {
                return grid(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new TorchsightException(Kind.INPUT, text, "unknown token reshape '" + text + "'; use vit or HxW, e.g. 14x14");
    }

    /** The axis of the layer's own output that holds the channels (the last one: tokens x channels). */
    int channelAxis() {
        return 2;
    }

    /**
     * N x T x D tokens to N x D x H x W.
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the tokens do not fit the grid
     */
    Tensor apply(Tensor tokens, String layer) {
        if (tokens.dim() != 3) {
            throw new TorchsightException(Kind.LAYER, layer, "layer " + layer + " outputs "
                    + Arrays.toString(tokens.sizes().vec().get()) + "; a token reshape needs N x tokens x channels");
        }
        long t = tokens.size(1);
        long h = height;
        long w = width;
        long skip;
        if (height == 0) {
            long side = Math.round(Math.sqrt(t - 1));
            if (side * side != t - 1) {
                throw new TorchsightException(Kind.LAYER, layer, "layer " + layer + " has " + t + " tokens; a ViT reshape "
                        + "needs a class token plus a square grid (give the grid as HxW)");
            }
            h = side;
            w = side;
            skip = 1;
        } else if (t == h * w + 1) {
            skip = 1;
        } else if (t == h * w) {
            skip = 0;
        } else {
            throw new TorchsightException(Kind.LAYER, layer, "layer " + layer + " has " + t + " tokens, which do not fit a "
                    + h + " x " + w + " grid (with or without a class token)");
        }
        Tensor grid = tokens.narrow(1, skip, h * w).reshape(tokens.size(0), h, w, tokens.size(2));
        return grid.permute(0, 3, 1, 2).contiguous();
    }

    @Override
    public String toString() {
        return height == 0 ? "vit" : height + "x" + width;
    }
}
