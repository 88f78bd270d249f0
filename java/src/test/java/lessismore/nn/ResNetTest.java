package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** ResNet structure against torchvision (counts and keys from torchvision 0.14 with fc = Identity). */
class ResNetTest {
    @Test
    void resnet18MatchesTorchvision() {
        ResNet net = ResNet.resnet18(3, 0, 1);
        StateDict state = StateDict.of(net);
        assertEquals(60, state.parameters().size());
        assertEquals(120, state.floats().size() + state.counters().size());
        assertEquals(11_176_512, parameterCount(state));
        assertEquals(512, net.featureDim());
        assertArrayEquals(new int[] {64, 3, 7, 7}, state.floats().get("conv1.weight").shape());
        assertArrayEquals(new int[] {128, 64, 1, 1}, state.floats().get("layer2.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {512}, state.floats().get("layer4.1.bn2.running_var").shape());
        assertTrue(state.counters().containsKey("bn1.num_batches_tracked"));
    }

    @Test
    void resnet50MatchesTorchvisionAndRuns() {
        ResNet net = ResNet.resnet50(1, 10, 1);
        StateDict state = StateDict.of(net);
        // torchvision's 159 parameters and 318 entries, plus fc.weight and fc.bias.
        assertEquals(161, state.parameters().size());
        assertEquals(320, state.floats().size() + state.counters().size());
        assertEquals(23_508_032 - 2 * 64 * 7 * 7 + 2048 * 10 + 10, parameterCount(state));
        assertEquals(2048, net.featureDim());
        assertArrayEquals(new int[] {2048, 512, 1, 1}, state.floats().get("layer4.2.conv3.weight").shape());
        assertArrayEquals(new int[] {256, 64, 1, 1}, state.floats().get("layer1.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {10, 2048}, state.floats().get("fc.weight").shape());
        net.setTraining(false);
        assertArrayEquals(new int[] {1, 10}, net.forward(Tensor.zeros(1, 1, 32, 32)).shape());
    }

    @Test
    void torchvisionInitialisation() {
        StateDict state = StateDict.of(ResNet.resnet18(1, 0, 7));
        // kaiming_normal_(fan_out): layer3.0.conv2 has fan_out 256·3·3.
        float[] w = state.floats().get("layer3.0.conv2.weight").data;
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        assertEquals(Math.sqrt(2.0 / (256 * 9)), Math.sqrt(sq / w.length), 0.01 * Math.sqrt(2.0 / (256 * 9)));
        for (float v : state.floats().get("layer3.0.bn2.weight").data) {
            assertEquals(1f, v);
        }
        // The same seed gives the same weights.
        assertArrayEquals(w, StateDict.of(ResNet.resnet18(1, 0, 7)).floats().get("layer3.0.conv2.weight").data);
    }

    private static long parameterCount(StateDict state) {
        long n = 0;
        for (Map.Entry<String, Parameter> e : state.parameters().entrySet()) {
            n += e.getValue().value.numel();
        }
        return n;
    }
}
