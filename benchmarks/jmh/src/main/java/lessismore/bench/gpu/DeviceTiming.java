package lessismore.bench.gpu;

/**
 * One row of the GPU benchmark table, measured on the device in the device script's single call.
 *
 * @param op        operation, e.g. "maxEarlier"; with size and precision the key that joins this
 *                  row with PyTorch's timing of the same work (benchmarks/gpu/*_pytorch.py)
 * @param size      problem size, e.g. "n=32768 d=512"
 * @param precision "fp32", "bf16+fp32 recheck", "u8", ...
 * @param oursMs    median milliseconds over the timed runs (CUDA events, after warm-up)
 * @param floorMs   the roofline floor: FLOPs over peak or bytes over bandwidth
 * @param rate      achieved rate against the floor's, e.g. "41.2 of 67 TFLOP/s fp32"
 * @param check     correctness measured in the same run, e.g. "max|Δ| 3e-7 vs CPU on 2048 rows"
 */
public record DeviceTiming(String op, String size, String precision, double oursMs, double floorMs, String rate,
        String check) {
}
