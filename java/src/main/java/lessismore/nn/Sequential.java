package lessismore.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Named layers applied in order, as torch.nn.Sequential or a module's attributes: each child's
 * state-dict keys are prefixed with its name and a dot.
 */
public final class Sequential implements Layer {
    private final List<String> names = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();

    /** Appends {@code layer} under {@code name}; returns this for chaining. */
    public Sequential add(String name, Layer layer) {
        names.add(name);
        layers.add(layer);
        return this;
    }

    /** Appends {@code layer} named by its position ("0", "1", …), as torch.nn.Sequential does. */
    public Sequential add(Layer layer) {
        return add(Integer.toString(layers.size()), layer);
    }

    /** The children's names in order. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    /** The child named {@code name}. */
    public Layer get(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no layer named " + name);
        }
        return layers.get(i);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer layer : layers) {
            x = layer.forward(x);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            gradOut = layers.get(i).backward(gradOut);
        }
        return gradOut;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).visitState(prefix + names.get(i) + ".", visitor);
        }
    }

    @Override
    public void setTraining(boolean training) {
        for (Layer layer : layers) {
            layer.setTraining(training);
        }
    }
}
