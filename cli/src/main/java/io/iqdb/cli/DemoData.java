package io.iqdb.cli;

import io.iqdb.Metric;
import io.iqdb.cli.data.VectorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The demo's data: Fashion-MNIST when Debian's {@code dataset-fashion-mnist} package is installed,
 * else a generated clustered dataset, both with an integer {@code label} per vector.
 *
 * @param description one line saying what the data is, for the user
 * @param vectors the vectors to store
 * @param labels their labels
 * @param queries the query vectors (not stored)
 * @param queryLabels the queries' labels, used as filters
 * @param labelNames a name for each label value
 * @param metric the metric suited to the data
 */
record DemoData(
    String description, float[][] vectors, int[] labels, float[][] queries, int[] queryLabels,
    String[] labelNames, Metric metric) {

  static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private static final String[] FASHION_LABELS = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
  };

  static boolean fashionMnistPresent(Path dir) {
    return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
        && Files.isRegularFile(dir.resolve("train-labels-idx1-ubyte.gz"))
        && Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz"))
        && Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  /** The first {@code size} training images (all when size is 0 or larger) and {@code queries} test images. */
  static DemoData fashionMnist(Path dir, int size, int queries) throws IOException {
    float[][] train = VectorFiles.readIdxImages(dir.resolve("train-images-idx3-ubyte.gz"));
    int[] trainLabels = VectorFiles.readIdxLabels(dir.resolve("train-labels-idx1-ubyte.gz"));
    float[][] test = VectorFiles.readIdxImages(dir.resolve("t10k-images-idx3-ubyte.gz"));
    int[] testLabels = VectorFiles.readIdxLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    int n = size <= 0 ? train.length : Math.min(size, train.length);
    int q = Math.min(queries, test.length);
    return new DemoData(
        String.format(java.util.Locale.ROOT, "Fashion-MNIST from %s: %,d of %,d images (784 pixels each), %d test images as queries",
            dir, n, train.length, q),
        Arrays.copyOf(train, n), Arrays.copyOf(trainLabels, n), Arrays.copyOf(test, q), Arrays.copyOf(testLabels, q),
        FASHION_LABELS, Metric.L2);
  }

  /**
   * {@code size} vectors of dimension {@code dim} around 10 random centres (label = centre), and
   * {@code queries} more drawn the same way. Seeded, so every run sees the same data.
   */
  static DemoData generated(int size, int queries, int dim, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int clusters = 10;
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) random.nextDouble(-1, 1);
      }
    }
    float[][] vectors = new float[size][];
    int[] labels = new int[size];
    fill(vectors, labels, centres, random);
    float[][] q = new float[queries][];
    int[] qLabels = new int[queries];
    fill(q, qLabels, centres, random);
    String[] names = new String[clusters];
    for (int i = 0; i < clusters; i++) {
      names[i] = "cluster " + i;
    }
    return new DemoData(
        String.format(java.util.Locale.ROOT, "a generated dataset: %,d vectors of dimension %d in %d labelled clusters, %d queries",
            size, dim, clusters, queries),
        vectors, labels, q, qLabels, names, Metric.L2);
  }

  private static void fill(float[][] vectors, int[] labels, float[][] centres, SplittableRandom random) {
    for (int i = 0; i < vectors.length; i++) {
      int label = random.nextInt(centres.length);
      float[] c = centres[label];
      float[] v = new float[c.length];
      for (int j = 0; j < v.length; j++) {
        v[j] = c[j] + (float) (0.35 * gaussian(random));
      }
      vectors[i] = v;
      labels[i] = label;
    }
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller; SplittableRandom has no nextGaussian in Java 21's API for this type.
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  String labelName(int label) {
    return label >= 0 && label < labelNames.length ? labelNames[label] : Integer.toString(label);
  }
}
