package lessismore.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import lessismore.nn.Tensor;

/**
 * Makes SimCLR batches ahead of the trainer: worker threads draw the views, a producer thread puts
 * finished batches, in step order, into a bounded queue that the trainer takes from.
 *
 * <p>Steps are numbered globally from 0; step s belongs to epoch s / stepsPerEpoch and takes the
 * next {@code batch} images of that epoch's permutation (an incomplete last batch is dropped, as
 * SimCLR's drop_last). The permutation depends only on (seed, epoch) and the views of an image only
 * on (seed, epoch, step, image index), so batches are identical for any thread count or timing,
 * and a resumed run sees the same batches as an uninterrupted one.
 */
public final class ViewLoader implements AutoCloseable {
    /**
     * One training step's input.
     *
     * @param step    global step number (0-based)
     * @param epoch   epoch of the step (0-based)
     * @param indices dataset indices of the batch's images, in row order
     * @param views   (2B, 1, size, size): rows i and B + i are the two views of image indices[i]
     */
    public record Batch(long step, int epoch, int[] indices, Tensor views) {
    }

    private final Dataset data;
    private final Augmentation augmentation;
    private final int batch;
    private final long seed;
    private final ExecutorService workers;
    private final BlockingQueue<Object> ready;
    private final Thread producer;

    /**
     * Starts producing the batches of steps [{@code fromStep}, {@code toStep}) with {@code threads}
     * workers and up to {@code prefetch} finished batches waiting.
     */
    public ViewLoader(Dataset data, Augmentation augmentation, int batch, long seed, int threads, int prefetch,
                      long fromStep, long toStep) {
        if (stepsPerEpoch(data.size(), batch) == 0) {
            throw new IllegalArgumentException("batch " + batch + " is larger than the dataset (" + data.size()
                    + " images)");
        }
        this.data = data;
        this.augmentation = augmentation;
        this.batch = batch;
        this.seed = seed;
        this.workers = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "views");
            t.setDaemon(true);
            return t;
        });
        this.ready = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.producer = Thread.ofPlatform().daemon().name("batches").start(() -> produce(fromStep, toStep));
    }

    /** Full batches per epoch: floor(images / batch). */
    public static int stepsPerEpoch(int images, int batch) {
        return batch < 1 ? 0 : images / batch;
    }

    /** The next batch, waiting for it if needed; a worker's failure is rethrown here. */
    public Batch next() throws InterruptedException {
        Object o = ready.take();
        if (o instanceof Throwable t) {
            throw new IllegalStateException("view generation failed: " + t, t);
        }
        return (Batch) o;
    }

    private void produce(long fromStep, long toStep) {
        try {
            for (long s = fromStep; s < toStep; s++) {
                ready.put(build(s));
            }
        } catch (InterruptedException e) {
            // Closed by the consumer.
        } catch (Throwable t) {
            ready.offer(t);
        }
    }

    /** The batch of global step {@code step}, its images split into one task per worker. */
    Batch build(long step) throws InterruptedException, ExecutionException {
        int spe = stepsPerEpoch(data.size(), batch);
        int epoch = (int) (step / spe);
        int[] order = permutation(data.size(), seed, epoch);
        int first = (int) (step % spe) * batch;
        int[] indices = java.util.Arrays.copyOfRange(order, first, first + batch);
        int size = augmentation.size();
        int plane = size * size;
        float[] views = new float[2 * batch * plane];
        List<Future<?>> parts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int row = i;
            parts.add(workers.submit(() -> {
                SplittableRandom rng = new SplittableRandom(viewSeed(seed, epoch, step, indices[row]));
                float[] img = data.image(indices[row]);
                augmentation.apply(img, data.side(), rng, views, row * plane);
                augmentation.apply(img, data.side(), rng, views, (batch + row) * plane);
            }));
        }
        for (Future<?> f : parts) {
            f.get();
        }
        return new Batch(step, epoch, indices, new Tensor(views, 2 * batch, 1, size, size));
    }

    /** Epoch {@code epoch}'s order of the images: a Fisher–Yates shuffle seeded by (seed, epoch). */
    static int[] permutation(int n, long seed, int epoch) {
        SplittableRandom rng = new SplittableRandom(mix(mix(seed) ^ epoch));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The generator seed of image {@code index}'s two views at a step. */
    static long viewSeed(long seed, int epoch, long step, int index) {
        return mix(mix(mix(mix(seed) + 0x5bd1e995L * epoch + 1) ^ step) + index);
    }

    /** SplitMix64's finaliser: a bijective scramble, so distinct keys give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        producer.interrupt();
        workers.shutdownNow();
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
