package io.iqdb.opensearch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Seeded vectors shaped like sentence embeddings, their payloads, and exact (brute-force cosine)
 * nearest neighbours: the ground truth the cluster's answers are measured against.
 *
 * <p>The shape is that of the project's real-text corpus (Debian copyright lines and man page
 * summaries embedded with all-MiniLM-L6-v2): {@value #DIMENSION} dimensions, cosine, clustered
 * topics of different spreads, and exact duplicates — there 51% of the rows copy another row, most
 * copies of a few popular texts (a licence paragraph in hundreds of packages). Here about {@value
 * #COPY_PERCENT}% of the documents copy an earlier one, chosen with a bias towards the first
 * documents so that a few vectors have many copies. Copies keep their own payload, as the same
 * licence line keeps its own package. Queries are new points, never copies.
 */
final class VectorData {
  static final int DIMENSION = 384;
  static final int CATEGORIES = 10;
  static final int COPY_PERCENT = 50;

  private final float[][] centers;
  private final float[] spreads;
  private final Random random;
  final List<float[]> vectors = new ArrayList<>();

  VectorData(long seed) {
    random = new Random(seed);
    centers = new float[100][DIMENSION];
    spreads = new float[centers.length];
    for (int c = 0; c < centers.length; c++) {
      for (int d = 0; d < DIMENSION; d++) {
        centers[c][d] = (float) (random.nextDouble() * 2 - 1);
      }
      spreads[c] = (float) (0.05 + 0.2 * random.nextDouble());
    }
  }

  /** A new point, never a copy: a random center plus noise of that center's spread, unit length. */
  float[] next() {
    int c = random.nextInt(centers.length);
    float[] v = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = centers[c][d] + (float) random.nextGaussian() * spreads[c];
    }
    return normalize(v);
  }

  /** Adds the next document's vector (a new point or a copy of an earlier one) and returns its number. */
  int add() {
    int n = vectors.size();
    if (n > 0 && random.nextInt(100) < COPY_PERCENT) {
      // the square of a uniform draw favours the first documents: a few vectors get many copies
      double u = random.nextDouble();
      vectors.add(vectors.get((int) (u * u * n)));
    } else {
      vectors.add(next());
    }
    return n;
  }

  static String id(int doc) {
    return "d" + doc;
  }

  static int doc(String id) {
    return Integer.parseInt(id.substring(1));
  }

  static String category(int doc) {
    return "c" + (doc % CATEGORIES);
  }

  static int year(int doc) {
    return 2000 + (doc / CATEGORIES) % 25;
  }

  /** The document's source: three vector fields with the same vector, and two payload fields. */
  Map<String, Object> source(int doc) {
    float[] v = vectors.get(doc);
    Map<String, Object> source = new HashMap<>();
    source.put("flat", v);
    source.put("ivf", v);
    source.put("hnsw", v);
    source.put("category", category(doc));
    source.put("year", year(doc));
    return source;
  }

  /**
   * The cosine distance of the k-th nearest document to q among those the predicate accepts
   * (infinity when fewer than k are accepted): a hit is a true neighbour when it is at least as
   * close, whichever of several tied copies it is.
   */
  double kthDistance(float[] q, int k, IntPredicate accept) {
    double[] distances =
        IntStream.range(0, vectors.size()).filter(accept).mapToDouble(i -> distance(q, vectors.get(i))).sorted().toArray();
    return distances.length < k ? Double.POSITIVE_INFINITY : distances[k - 1];
  }

  /**
   * How many of the hits are true neighbours: accepted by the predicate and at least as close to
   * q as the k-th true neighbour (tie-aware recall's numerator). The tolerance covers the float
   * arithmetic of the engine's scores against the double arithmetic here.
   */
  int trueNeighbours(float[] q, List<String> hits, double kth, IntPredicate accept) {
    int found = 0;
    for (String id : hits) {
      int doc = doc(id);
      if (accept.test(doc) && distance(q, vectors.get(doc)) <= kth + 1e-6) {
        found++;
      }
    }
    return found;
  }

  /** Cosine distance, 1 - cos (the vectors are unit length). */
  static double distance(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return 1 - dot;
  }

  private static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    float inv = (float) (1 / Math.sqrt(sum));
    for (int d = 0; d < v.length; d++) {
      v[d] *= inv;
    }
    return v;
  }

  static String json(float[] v) {
    return Arrays.toString(v);
  }
}
