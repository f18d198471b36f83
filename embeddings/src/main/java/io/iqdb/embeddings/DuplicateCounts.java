package io.iqdb.embeddings;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How many rows of a corpus repeat another row exactly.
 *
 * @param rows the number of rows
 * @param distinct the number of distinct values among them
 * @param rowsInDuplicateGroups rows whose value occurs more than once (every member of a group,
 *     the first one included)
 */
public record DuplicateCounts(int rows, int distinct, int rowsInDuplicateGroups) {

  /**
   * Rows that are a copy of an earlier row: {@code rows - distinct}. Removing them deduplicates the
   * corpus.
   *
   * @return the number of redundant copies
   */
  public int redundantCopies() {
    return rows - distinct;
  }

  /**
   * Counts duplicate texts.
   *
   * @param texts the rows' texts
   * @return the counts
   */
  public static DuplicateCounts ofTexts(List<String> texts) {
    return count(texts, Function.identity());
  }

  /**
   * Counts bit-identical vectors.
   *
   * @param vectors the rows' vectors
   * @return the counts
   */
  public static DuplicateCounts ofVectors(List<float[]> vectors) {
    return count(vectors, VectorKey::new);
  }

  private static <T, K> DuplicateCounts count(List<T> rows, Function<T, K> key) {
    Map<K, Integer> counts = new HashMap<>();
    for (T row : rows) {
      counts.merge(key.apply(row), 1, Integer::sum);
    }
    int inGroups = counts.values().stream().filter(c -> c > 1).mapToInt(Integer::intValue).sum();
    return new DuplicateCounts(rows.size(), counts.size(), inGroups);
  }

  /**
   * One line for people, e.g. {@code "3,000 rows, 2,700 distinct: 300 redundant copies (10.0%), 512
   * rows (17.1%) in groups of duplicates"}.
   *
   * @return the summary
   */
  public String summary() {
    return String.format(Locale.ROOT, "%,d rows, %,d distinct: %,d redundant copies (%.1f%%), %,d rows (%.1f%%) in groups of duplicates",
        rows, distinct, redundantCopies(), percent(redundantCopies()), rowsInDuplicateGroups, percent(rowsInDuplicateGroups));
  }

  private double percent(int n) {
    return rows == 0 ? 0 : 100.0 * n / rows;
  }

  /** A float array compared bit for bit (NaN equals NaN, 0.0 differs from -0.0), as Arrays.equals does. */
  private record VectorKey(float[] v) {
    @Override
    public boolean equals(Object o) {
      return o instanceof VectorKey k && Arrays.equals(v, k.v);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(v);
    }
  }
}
