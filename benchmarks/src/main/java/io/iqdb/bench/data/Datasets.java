package io.iqdb.bench.data;

import io.iqdb.cli.data.VectorFiles;
import io.iqdb.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The datasets of record for iQDB's benchmarks (see DESIGN.md, "How performance is measured").
 *
 * <ul>
 *   <li>Fashion-MNIST: 60,000 x 784 images as vectors of pixel values 0..255, 10,000 query images,
 *       L2. Read from Debian's {@code dataset-fashion-mnist} package.
 *   <li>Synthetic clustered data, seeded, default 1,000,000 x 128, L2.
 *   <li>The same synthetic data normalized to unit length, for cosine.
 * </ul>
 */
public final class Datasets {

  /** Where Debian's {@code dataset-fashion-mnist} package installs the idx files. */
  public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Default number of vectors of the synthetic dataset. */
  public static final int DEFAULT_SYNTHETIC_SIZE = 1_000_000;

  /** Default dimension of the synthetic dataset. */
  public static final int DEFAULT_SYNTHETIC_DIMENSION = 128;

  /** Default number of synthetic queries. */
  public static final int DEFAULT_SYNTHETIC_QUERIES = 10_000;

  /** Default seed of the synthetic dataset. */
  public static final long DEFAULT_SEED = 42L;

  private Datasets() {}

  /**
   * Loads Fashion-MNIST from {@link #FASHION_MNIST_DIR}.
   *
   * @return the training images as vectors and the test images as queries, metric L2
   * @throws IOException if the files are missing (the message says which Debian package to
   *     install) or malformed
   */
  public static Dataset fashionMnist() throws IOException {
    return fashionMnist(FASHION_MNIST_DIR);
  }

  /**
   * Loads Fashion-MNIST from a directory holding {@code train-images-idx3-ubyte.gz} and
   * {@code t10k-images-idx3-ubyte.gz} (raw, uncompressed files without {@code .gz} work too).
   *
   * @param dir the directory
   * @return the training images as vectors and the test images as queries, metric L2
   * @throws IOException if the files are missing (the message says which Debian package to
   *     install) or malformed
   */
  public static Dataset fashionMnist(Path dir) throws IOException {
    Path train = idxFile(dir, "train-images-idx3-ubyte");
    Path test = idxFile(dir, "t10k-images-idx3-ubyte");
    return new Dataset("fashion-mnist", VectorFiles.readIdxImages(train), VectorFiles.readIdxImages(test), Metric.L2);
  }

  private static Path idxFile(Path dir, String base) throws IOException {
    for (String name : new String[] {base + ".gz", base}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new NoSuchFileException(dir.resolve(base + ".gz").toString(), null,
        "Fashion-MNIST not found; install it with: sudo apt-get install dataset-fashion-mnist");
  }

  /**
   * Generates the default synthetic dataset: {@value #DEFAULT_SYNTHETIC_SIZE} x
   * {@value #DEFAULT_SYNTHETIC_DIMENSION}, {@value #DEFAULT_SYNTHETIC_QUERIES} queries, seed
   * {@value #DEFAULT_SEED}, L2.
   *
   * @return the dataset
   */
  public static Dataset synthetic() {
    return synthetic(DEFAULT_SYNTHETIC_SIZE, DEFAULT_SYNTHETIC_DIMENSION, DEFAULT_SYNTHETIC_QUERIES, DEFAULT_SEED);
  }

  /**
   * Generates seeded clustered data, the same for the same arguments on every machine.
   *
   * <p>Cluster centres are drawn uniformly from [-1, 1]^d; each vector is a centre (chosen
   * uniformly) plus isotropic Gaussian noise with a per-cluster spread in [0.05, 0.25] per
   * coordinate. Queries are drawn the same way from the same centres, so they fall near the data
   * as real queries do, but are never copies of indexed vectors. The number of clusters grows as
   * the square root of {@code n} (1,000 clusters for 1,000,000 vectors), so IVF-style partitions
   * are neither trivial nor a perfect match for the generator.
   *
   * @param n the number of vectors
   * @param dimension the dimension
   * @param queries the number of queries
   * @param seed the seed
   * @return a dataset named {@code synthetic-<n>x<dimension>-q<queries>-s<seed>}, metric L2
   */
  public static Dataset synthetic(int n, int dimension, int queries, long seed) {
    float[][][] data = clustered(n, dimension, queries, seed);
    String name = "synthetic-" + n + "x" + dimension + "-q" + queries + "-s" + seed;
    return new Dataset(name, data[0], data[1], Metric.L2);
  }

  /**
   * The synthetic dataset of {@link #synthetic(int, int, int, long)} with every vector and query
   * normalized to unit length, for cosine similarity.
   *
   * @param n the number of vectors
   * @param dimension the dimension
   * @param queries the number of queries
   * @param seed the seed
   * @return a dataset named {@code synthetic-cos-<n>x<dimension>-q<queries>-s<seed>}, metric
   *     COSINE
   */
  public static Dataset syntheticCosine(int n, int dimension, int queries, long seed) {
    float[][][] data = clustered(n, dimension, queries, seed);
    for (float[][] part : data) {
      for (float[] v : part) {
        normalize(v);
      }
    }
    String name = "synthetic-cos-" + n + "x" + dimension + "-q" + queries + "-s" + seed;
    return new Dataset(name, data[0], data[1], Metric.COSINE);
  }

  /**
   * Scales a vector to unit Euclidean length in place; a zero vector is left unchanged.
   *
   * @param v the vector
   */
  public static void normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      float inv = (float) (1.0 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
  }

  private static float[][][] clustered(int n, int dimension, int queries, long seed) {
    if (n < 1 || dimension < 1 || queries < 1) {
      throw new IllegalArgumentException(
          "n, dimension and queries must be positive; n=" + n + " dimension=" + dimension + " queries=" + queries);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int clusters = Math.max(1, (int) Math.round(Math.sqrt(n)));
    float[][] centres = new float[clusters][dimension];
    float[] spread = new float[clusters];
    for (int c = 0; c < clusters; c++) {
      for (int j = 0; j < dimension; j++) {
        centres[c][j] = (float) (random.nextDouble() * 2 - 1);
      }
      spread[c] = (float) (0.05 + 0.2 * random.nextDouble());
    }
    // Separate streams for data and queries: changing the query count leaves the data unchanged.
    SplittableRandom dataRandom = random.split();
    SplittableRandom queryRandom = random.split();
    return new float[][][] {
      sample(n, centres, spread, dataRandom), sample(queries, centres, spread, queryRandom)
    };
  }

  private static float[][] sample(int count, float[][] centres, float[] spread, SplittableRandom random) {
    int dimension = centres[0].length;
    float[][] out = new float[count][];
    for (int i = 0; i < count; i++) {
      int c = random.nextInt(centres.length);
      float[] v = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        v[j] = centres[c][j] + (float) (gaussian(random) * spread[c]);
      }
      out[i] = v;
    }
    return out;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller written out: RandomGenerator.nextGaussian's algorithm is not part of its contract,
    // and the data must be identical on every JDK.
    double u1 = random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
