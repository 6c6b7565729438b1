package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.ModelOutput;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The built-in scoring functions behind {@link CamTarget}'s factories. */
final class Targets {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private Targets() {}

    /** Row {@code image} of the class scores, checking that {@code index} is one of its classes. */
    static Tensor row(ModelOutput output, int image, int index) {
        Tensor scores = output.scores();
        if (scores.dim() < 2) {
            throw new TorchsightException(Kind.MODEL, null, "the model's output has shape "
                    + Arrays.toString(scores.sizes().vec().get()) + "; a class target needs scores N x classes");
        }
        if (index >= scores.size(1)) {
            throw new TorchsightException(Kind.CLASS_INDEX, index, "class index " + index + " is out of range: the model has "
                    + scores.size(1) + " classes (use 0.." + (scores.size(1) - 1) + ")");
        }
        return scores.select(0, image);
    }

    record ClassLogit(int index) implements CamTarget {
        @Override
        public Tensor score(ModelOutput output, int image) {
            return row(output, image, index).select(0, index);
        }

        @Override
        public int classIndex() {
            return index;
        }
    }

    record ClassProbability(int index) implements CamTarget {
        @Override
        public Tensor score(ModelOutput output, int image) {
            return torch.softmax(row(output, image, index), 0, new ScalarTypeOptional()).select(0, index);
        }

        @Override
        public int classIndex() {
            return index;
        }
    }

    record ClassSet(int[] indices) implements CamTarget {
        @Override
        public Tensor score(ModelOutput output, int image) {
            Tensor sum = null;
            for (int index : indices) {
                Tensor s = row(output, image, index).select(0, index);
                sum = sum == null ? s : sum.add(s);
            }
            return sum;
        }

        @Override
        public int classIndex() {
            return indices.length == 1 ? indices[0] : -1;
        }
    }

    record MaskedClass(int index, float[] mask, int height, int width) implements CamTarget {
        @Override
        public Tensor score(ModelOutput output, int image) {
            Tensor scores = row(output, image, index).select(0, index);
            if (scores.dim() != 2 || scores.size(0) != height || scores.size(1) != width) {
                throw new TorchsightException(Kind.MODEL, null, "a segmentation target needs scores N x classes x "
                        + height + " x " + width + ", got per-class " + Arrays.toString(scores.sizes().vec().get()));
            }
            Tensor m = Tensor.create(mask, height, width).to(scores.device(), scores.scalar_type());
            return scores.mul(m).sum();
        }

        @Override
        public int classIndex() {
            return index;
        }
    }

    record BoxScore(int[] labels, float[][] boxes, double iouThreshold) implements CamTarget {
        @Override
        public Tensor score(ModelOutput output, int image) {
            Tensor found = part(output, "boxes", 0, image, 2);
            Tensor scores = part(output, "scores", 1, image, 1);
            long[] predicted = MapValues.longs(part(output, "labels", 2, image, 1));
            Tensor total = torch.zeros(new long[] {}, found.options());
            if (found.size(0) == 0) {
                return total;
            }
            for (int b = 0; b < labels.length; b++) {
                Tensor iou = iou(found, boxes[b]);
                int best = (int) iou.argmax().item_long();
                if (iou.select(0, best).item_double() > iouThreshold && predicted[best] == labels[b]) {
                    total = total.add(iou.select(0, best)).add(scores.select(0, best));
                }
            }
            return total;
        }

        private static Tensor iou(Tensor found, float[] box) {
            Tensor x1 = torch.clamp_min(found.select(1, 0), new Scalar(box[0]));
            Tensor y1 = torch.clamp_min(found.select(1, 1), new Scalar(box[1]));
            Tensor x2 = torch.clamp_max(found.select(1, 2), new Scalar(box[2]));
            Tensor y2 = torch.clamp_max(found.select(1, 3), new Scalar(box[3]));
            Tensor inter = torch.clamp_min(x2.sub(x1), new Scalar(0.0)).mul(torch.clamp_min(y2.sub(y1), new Scalar(0.0)));
            Tensor areas = found.select(1, 2).sub(found.select(1, 0)).mul(found.select(1, 3).sub(found.select(1, 1)));
            double area = (double) (box[2] - box[0]) * (box[3] - box[1]);
            return inter.div(areas.add(new Scalar(area)).sub(inter));
        }

        private static Tensor part(ModelOutput output, String key, int position, int image, int dims) {
            Tensor t;
            try {
                t = output.element(key);
            } catch (TorchsightException e) {
                t = output.element(position);
            }
            return t.dim() == dims + 1 ? t.select(0, image) : t;
        }
    }
}
