package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.DimensionMismatchException;
import io.iqdb.InvalidArgumentException;
import io.iqdb.InvalidIdException;
import io.iqdb.InvalidVectorException;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import org.apache.lucene.util.UnicodeUtil;

/** Checks of ids and vectors, shared by writes and queries. */
final class Validation {
  /** Tolerance on the norm of a vector under {@link Metric#DOT}. */
  static final double UNIT_TOLERANCE = 1e-3;

  /** The largest squared norm: a quarter of the largest float, so any squared distance fits. */
  static final double MAX_SQUARED_NORM = Float.MAX_VALUE / 4.0;

  private Validation() {}

  static String checkId(String id) {
    if (id == null) {
      throw new InvalidIdException("record id must not be null");
    }
    if (id.isEmpty()) {
      throw new InvalidIdException("record id must not be empty");
    }
    if (!UnicodeUtil.validUTF16String(id)) {
      throw new InvalidIdException(
          "record id must be well-formed UTF-16 (it is stored as UTF-8); id has an unpaired surrogate");
    }
    int bytes = UnicodeUtil.calcUTF16toUTF8Length(id, 0, id.length());
    if (bytes > VectorCollection.MAX_ID_BYTES) {
      throw new InvalidIdException(
          "record id must have at most " + VectorCollection.MAX_ID_BYTES + " UTF-8 bytes; id='"
              + id.substring(0, Math.min(id.length(), 40)) + "...' has " + bytes);
    }
    return id;
  }

  /**
   * Checks a record's text, or a text query: well-formed UTF-16 (it is stored and indexed as
   * UTF-8, where an unpaired surrogate would silently become U+FFFD) of at most {@link
   * VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes.
   *
   * @param text the text, or {@code null} (accepted: no text)
   * @param what "record 'x'" or "query", for messages
   * @return the text
   */
  static String checkText(String text, String what) {
    if (text == null) {
      return null;
    }
    if (!UnicodeUtil.validUTF16String(text)) {
      throw new InvalidArgumentException(
          what + ": text must be well-formed UTF-16 (it is stored as UTF-8); it has an unpaired surrogate");
    }
    if (text.length() * 3L > VectorCollection.MAX_TEXT_BYTES) { // only then can it be too long
      int bytes = UnicodeUtil.calcUTF16toUTF8Length(text, 0, text.length());
      if (bytes > VectorCollection.MAX_TEXT_BYTES) {
        throw new InvalidArgumentException(
            what + ": text must have at most " + VectorCollection.MAX_TEXT_BYTES + " UTF-8 bytes; text has "
                + bytes + " UTF-8 bytes (" + text.length() + " chars)");
      }
    }
    return text;
  }

  /**
   * The squared norm in double, in four independent sums: one sum is a chain of dependent additions,
   * about 0.4 us at 384 dimensions (a tenth of a search for a narrow filter); with four, a search
   * whose filter matches nothing went from 0.9 to 0.72 us.
   */
  private static double squaredNorm(float[] vector) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (int end = vector.length & ~3; i < end; i += 4) {
      s0 += (double) vector[i] * vector[i];
      s1 += (double) vector[i + 1] * vector[i + 1];
      s2 += (double) vector[i + 2] * vector[i + 2];
      s3 += (double) vector[i + 3] * vector[i + 3];
    }
    for (; i < vector.length; i++) {
      s0 += (double) vector[i] * vector[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Checks a vector.
   *
   * @param config the collection config
   * @param vector the vector
   * @param what "record 'x'" or "query", for messages
   */
  static void checkVector(CollectionConfig config, float[] vector, String what) {
    if (vector == null) {
      throw new InvalidVectorException(what + ": vector must not be null");
    }
    if (vector.length != config.dimension()) {
      throw new DimensionMismatchException(
          what + ": vector has dimension " + vector.length + ", the collection has dimension "
              + config.dimension());
    }
    double norm2 = squaredNorm(vector);
    if (!Double.isFinite(norm2)) { // a float squared cannot overflow a double: a component is NaN or infinite
      for (int i = 0; i < vector.length; i++) {
        if (!Float.isFinite(vector[i])) {
          throw new InvalidVectorException(what + ": vector component " + i + " is " + vector[i]);
        }
      }
    }
    if (config.metric() == Metric.COSINE && norm2 == 0) {
      throw new InvalidVectorException(what + ": a zero vector has no direction under COSINE");
    }
    // Lucene scores in float: a vector must keep its squared norm (and so every dot product and
    // squared distance with another such vector) within float range, and a COSINE vector must be
    // normalizable in float.
    if (norm2 > MAX_SQUARED_NORM) {
      throw new InvalidVectorException(
          what + ": vector is too large for float arithmetic: its squared norm " + norm2 + " exceeds "
              + MAX_SQUARED_NORM + " (about 9.2e18 in length)");
    }
    if (config.metric() == Metric.COSINE && norm2 < Float.MIN_NORMAL) {
      throw new InvalidVectorException(
          what + ": vector is too small to normalize in float under COSINE: its squared norm " + norm2
              + " is below " + Float.MIN_NORMAL);
    }
    if (config.metric() == Metric.DOT && Math.abs(Math.sqrt(norm2) - 1) > UNIT_TOLERANCE) {
      throw new InvalidVectorException(
          what + ": DOT needs unit-length vectors; this one has length " + Math.sqrt(norm2)
              + " (normalize it, or use COSINE or MAX_INNER_PRODUCT)");
    }
  }
}
