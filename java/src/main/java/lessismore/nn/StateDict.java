package lessismore.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named state of a layer tree, as torch's {@code state_dict()}: live views of its parameters,
 * buffers and counters under their keys, to hand to an optimizer or to save and load.
 */
public final class StateDict {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> floats = new LinkedHashMap<>();
    private final Map<String, long[]> counters = new LinkedHashMap<>();

    private StateDict() {
    }

    /** The state of {@code layer}, keys as torch would name them for the same module tree. */
    public static StateDict of(Layer layer) {
        return collect(visitor -> layer.visitState("", visitor));
    }

    /** The state of {@code optimizer} (see {@link Optimizer#visitState}), to save with a checkpoint. */
    public static StateDict of(Optimizer optimizer) {
        return collect(optimizer::visitState);
    }

    private static StateDict collect(java.util.function.Consumer<StateVisitor> source) {
        StateDict sd = new StateDict();
        source.accept(new StateVisitor() {
            @Override
            public void parameter(String name, Parameter parameter) {
                sd.parameters.put(name, parameter);
                sd.put(name, parameter.value);
            }

            @Override
            public void buffer(String name, Tensor buffer) {
                sd.put(name, buffer);
            }

            @Override
            public void counter(String name, long[] holder) {
                if (sd.counters.put(name, holder) != null || sd.floats.containsKey(name)) {
                    throw new IllegalStateException("duplicate state key " + name);
                }
            }
        });
        return sd;
    }

    private void put(String name, Tensor t) {
        if (floats.put(name, t) != null || counters.containsKey(name)) {
            throw new IllegalStateException("duplicate state key " + name);
        }
    }

    /** Trainable parameters by key, in registration order. */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Trainable parameters in registration order. */
    public List<Parameter> parameterList() {
        return new ArrayList<>(parameters.values());
    }

    /** Float entries (parameter values and buffers) by key; the tensors are live. */
    public Map<String, Tensor> floats() {
        return Collections.unmodifiableMap(floats);
    }

    /** int64 scalar counters by key; the holders are live. */
    public Map<String, long[]> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** Zeroes every parameter's gradient. */
    public void zeroGrad() {
        for (Parameter p : parameters.values()) {
            p.zeroGrad();
        }
    }

    /** Writes the state as safetensors (F32 tensors, I64 scalar counters). */
    public void save(Path file) throws IOException {
        save(file, Map.of());
    }

    /** Writes the state as safetensors with string {@code metadata} in the header's __metadata__. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Safetensors.LongTensor> longs = new LinkedHashMap<>();
        counters.forEach((name, holder) -> longs.put(name, Safetensors.LongTensor.scalar(holder[0])));
        Safetensors.write(file, new Safetensors.Contents(floats, longs, metadata));
    }

    /**
     * Copies values from a safetensors file into this state. Every key of this state must be present
     * with the same shape; with {@code strict}, the file may hold no other keys either (as torch's
     * load_state_dict(strict=True)). Counters are optional in the file, as older torch checkpoints
     * lack num_batches_tracked.
     */
    public void load(Path file, boolean strict) throws IOException {
        Safetensors.Contents in = Safetensors.read(file);
        for (Map.Entry<String, Tensor> e : floats.entrySet()) {
            Tensor src = in.floats().get(e.getKey());
            Tensor dst = e.getValue();
            if (src == null) {
                throw new IOException(file + ": missing key " + e.getKey());
            }
            if (!Arrays.equals(src.shape(), dst.shape())) {
                throw new IOException(file + ": " + e.getKey() + " has shape "
                        + Arrays.toString(src.shape()) + ", expected "
                        + Arrays.toString(dst.shape()));
            }
            System.arraycopy(src.data, 0, dst.data, 0, dst.data.length);
        }
        for (Map.Entry<String, long[]> e : counters.entrySet()) {
            Safetensors.LongTensor src = in.longs().get(e.getKey());
            if (src != null) {
                if (src.data().length != 1) {
                    throw new IOException(file + ": " + e.getKey() + " is not a scalar");
                }
                e.getValue()[0] = src.data()[0];
            }
        }
        if (strict) {
            for (String key : in.floats().keySet()) {
                if (!floats.containsKey(key)) {
                    throw new IOException(file + ": unexpected key " + key);
                }
            }
            for (String key : in.longs().keySet()) {
                if (!counters.containsKey(key)) {
                    throw new IOException(file + ": unexpected key " + key);
                }
            }
        }
    }
}
