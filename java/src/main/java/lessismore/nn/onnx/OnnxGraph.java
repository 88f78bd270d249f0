package lessismore.nn.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import lessismore.nn.Tensor;

/**
 * An ONNX GraphProto under construction: float32 initializers, nodes of the default domain, one
 * float32 input and one float32 output. Field numbers are those of onnx.proto (GraphProto: node 1,
 * name 2, initializer 5, input 11, output 12; NodeProto: input 1, output 2, name 3, op_type 4,
 * attribute 5; TensorProto: dims 1, data_type 2, name 8, raw_data 9; ValueInfoProto: name 1,
 * type 2).
 *
 * <p>Initializers are encoded into the graph's buffer as they are added, so the weights are held
 * once; nodes are kept as records until {@link #finish} because the last one's output is renamed
 * to the graph output.
 */
final class OnnxGraph {
    /** TensorProto.DataType.FLOAT. */
    private static final int FLOAT = 1;
    /** AttributeProto.AttributeType values. */
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private record Node(String opType, String name, List<String> inputs, String output, List<ProtoWriter> attributes) {
    }

    private final ProtoWriter graph = new ProtoWriter();
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> values = new HashSet<>();
    private final String input;
    private final String output;

    /** A graph whose input value is named {@code input} and whose output value {@code output}. */
    OnnxGraph(String input, String output) {
        this.input = input;
        this.output = output;
        claim(input);
        claim(output);
    }

    /** Adds {@code t} as initializer {@code name} (raw little-endian float32, dims as its shape). */
    void initializer(String name, Tensor t) {
        claim(name);
        ProtoWriter tensor = new ProtoWriter();
        for (int d : t.shape()) {
            tensor.varint(1, d);
        }
        tensor.varint(2, FLOAT).string(8, name);
        ByteBuffer raw = ByteBuffer.allocate(4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(t.data);
        tensor.bytes(9, raw.array());
        graph.message(5, tensor);
    }

    /**
     * Adds a node {@code opType}(inputs) named after {@code name} (made unique with a suffix if
     * needed); returns the name of its single output, which is the node's name.
     */
    String node(String opType, String name, List<String> inputs, ProtoWriter... attributes) {
        String unique = name;
        for (int k = 1; values.contains(unique); k++) {
            unique = name + "_" + k;
        }
        claim(unique);
        nodes.add(new Node(opType, unique, List.copyOf(inputs), unique, List.of(attributes)));
        return unique;
    }

    /** An INTS attribute. */
    static ProtoWriter ints(String name, long... values) {
        ProtoWriter a = new ProtoWriter().string(1, name).varint(20, ATTR_INTS);
        for (long v : values) {
            a.varint(8, v);
        }
        return a;
    }

    /** An INT attribute. */
    static ProtoWriter integer(String name, long value) {
        return new ProtoWriter().string(1, name).varint(20, ATTR_INT).varint(3, value);
    }

    /** A FLOAT attribute. */
    static ProtoWriter real(String name, float value) {
        return new ProtoWriter().string(1, name).varint(20, ATTR_FLOAT).float32(2, value);
    }

    /**
     * Completes the graph: the input with shape {@code inputDims}, the last node's output renamed
     * to the graph output, with shape {@code outputDims}. A dimension is an Integer (fixed) or a
     * String (symbolic, e.g. "batch").
     *
     * @return the GraphProto
     */
    ProtoWriter finish(String name, Object[] inputDims, Object[] outputDims) {
        if (nodes.isEmpty()) {
            throw new IllegalStateException("graph has no nodes");
        }
        Node last = nodes.removeLast();
        nodes.add(new Node(last.opType(), last.name(), last.inputs(), output, last.attributes()));
        for (Node n : nodes) {
            ProtoWriter node = new ProtoWriter();
            for (String in : n.inputs()) {
                node.string(1, in);
            }
            node.string(2, n.output()).string(3, n.name()).string(4, n.opType());
            for (ProtoWriter a : n.attributes()) {
                node.message(5, a);
            }
            graph.message(1, node);
        }
        return graph.string(2, name)
                .message(11, valueInfo(input, inputDims))
                .message(12, valueInfo(output, outputDims));
    }

    /** ValueInfoProto of a float32 tensor: TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1). */
    private static ProtoWriter valueInfo(String name, Object[] dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            // TensorShapeProto.Dimension: dim_value 1 or dim_param 2.
            ProtoWriter dim = switch (d) {
                case Integer v -> new ProtoWriter().varint(1, v);
                case String p -> new ProtoWriter().string(2, p);
                default -> throw new IllegalArgumentException("dimension " + d);
            };
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    private void claim(String name) {
        if (!values.add(name)) {
            throw new IllegalArgumentException("duplicate value name " + name);
        }
    }
}
