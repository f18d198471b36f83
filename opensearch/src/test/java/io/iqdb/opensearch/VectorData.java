package io.iqdb.opensearch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Seeded clustered vectors and their payloads, with exact (brute-force L2) nearest neighbours: the
 * ground truth the cluster's answers are measured against.
 */
final class VectorData {
  static final int DIMENSION = 32;
  static final int CATEGORIES = 10;

  private final float[][] centers;
  private final Random random;
  final List<float[]> vectors = new ArrayList<>();

  VectorData(long seed) {
    random = new Random(seed);
    centers = new float[50][DIMENSION];
    for (float[] c : centers) {
      for (int d = 0; d < DIMENSION; d++) {
        c[d] = (float) (random.nextGaussian() * 4);
      }
    }
  }

  /** A new point: a random center plus unit noise. */
  float[] next() {
    float[] c = centers[random.nextInt(centers.length)];
    float[] v = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = c[d] + (float) random.nextGaussian();
    }
    return v;
  }

  /** Adds the next document's vector and returns its number. */
  int add() {
    vectors.add(next());
    return vectors.size() - 1;
  }

  static String id(int doc) {
    return "d" + doc;
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

  /** The ids of the k documents nearest to q (L2) among those the predicate accepts. */
  List<String> exact(float[] q, int k, IntPredicate accept) {
    return IntStream.range(0, vectors.size())
        .filter(accept)
        .boxed()
        .sorted(Comparator.comparingDouble(i -> l2(q, vectors.get(i))))
        .limit(k)
        .map(VectorData::id)
        .toList();
  }

  static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  static String json(float[] v) {
    return Arrays.toString(v);
  }
}
