package io.iqdb.codecs;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;

/**
 * What one segment measured about one field at flush or merge time: the recall@{@value
 * RecallCalibrator#K} its approximate search reached for increasing values of its search
 * parameter ({@code ef} for HNSW, {@code probes} for IVF), on queries drawn from its own vectors
 * (see {@link RecallCalibrator}), each recall less one standard error of its estimate. A search with a target recall uses the smallest parameter that
 * reached it ({@link #parameterFor(double)}).
 *
 * <p>Stored in the format's metadata as: {@code VInt} point count {@code m} (at least 1), then
 * {@code m} times {@code VInt} parameter (at least 1, strictly increasing) and {@code Int32}
 * recall (float bits, in [0, 1]).
 */
public final class RecallCurve {

  /** The most points a stored curve may have; a larger count means a corrupt file. */
  static final int MAX_POINTS = 256;

  private final int[] parameters;
  private final float[] recalls;

  /**
   * A curve from measured points.
   *
   * @param parameters increasing parameter values, each at least 1; at least one
   * @param recalls the recall measured at each parameter, in [0, 1]
   * @throws IllegalArgumentException if the arrays are empty, differ in length or hold bad values
   */
  public RecallCurve(int[] parameters, float[] recalls) {
    if (parameters.length == 0
        || parameters.length != recalls.length
        || parameters.length > MAX_POINTS) {
      throw new IllegalArgumentException(
          "a curve needs 1 to " + MAX_POINTS + " points, as many parameters as recalls; parameters="
              + parameters.length + ", recalls=" + recalls.length);
    }
    for (int i = 0; i < parameters.length; i++) {
      if (parameters[i] < 1 || (i > 0 && parameters[i] <= parameters[i - 1])) {
        throw new IllegalArgumentException(
            "parameters must be >= 1 and increasing; parameters=" + Arrays.toString(parameters));
      }
      if (!(recalls[i] >= 0f && recalls[i] <= 1f)) {
        throw new IllegalArgumentException("recalls must be in [0, 1]; recall=" + recalls[i]);
      }
    }
    this.parameters = parameters.clone();
    this.recalls = recalls.clone();
  }

  /**
   * The smallest measured parameter whose recall reached {@code target}. If none did, the smallest
   * parameter with the highest recall measured: where recall stops growing (an IVF index with
   * quantized lists, for example, levels off below 1 however many lists it probes), searching
   * more only costs time.
   *
   * @param target the recall wanted, in (0, 1]
   * @return the parameter, at least 1
   */
  public int parameterFor(double target) {
    int best = 0;
    for (int i = 0; i < parameters.length; i++) {
      // allow for float rounding of the stored value only
      if (recalls[i] >= target - 1e-6) {
        return parameters[i];
      }
      if (recalls[i] > recalls[best]) {
        best = i;
      }
    }
    return parameters[best];
  }

  /**
   * The recall measured at the parameter {@link #parameterFor(double)} returns.
   *
   * @param target the recall wanted
   * @return the measured recall at that parameter
   */
  public float recallFor(double target) {
    int p = parameterFor(target);
    return recalls[Arrays.binarySearch(parameters, p)];
  }

  /**
   * The measured parameter values, increasing.
   *
   * @return a copy
   */
  public int[] parameters() {
    return parameters.clone();
  }

  /**
   * The recall measured at each parameter.
   *
   * @return a copy
   */
  public float[] recalls() {
    return recalls.clone();
  }

  /**
   * Writes the curve in the layout of the class Javadoc.
   *
   * @param out where to write
   * @throws IOException if writing fails
   */
  public void write(DataOutput out) throws IOException {
    out.writeVInt(parameters.length);
    for (int i = 0; i < parameters.length; i++) {
      out.writeVInt(parameters[i]);
      out.writeInt(Float.floatToIntBits(recalls[i]));
    }
  }

  /**
   * Reads a curve written by {@link #write}.
   *
   * @param in where to read
   * @param resource names the file in a {@link CorruptIndexException}
   * @return the curve
   * @throws CorruptIndexException if the stored curve is invalid
   * @throws IOException if reading fails
   */
  public static RecallCurve read(DataInput in, String resource) throws IOException {
    int m = in.readVInt();
    if (m < 1 || m > MAX_POINTS) {
      throw new CorruptIndexException("invalid recall curve point count " + m, resource);
    }
    int[] parameters = new int[m];
    float[] recalls = new float[m];
    for (int i = 0; i < m; i++) {
      parameters[i] = in.readVInt();
      recalls[i] = Float.intBitsToFloat(in.readInt());
    }
    try {
      return new RecallCurve(parameters, recalls);
    } catch (IllegalArgumentException e) {
      throw new CorruptIndexException("invalid recall curve: " + e.getMessage(), resource, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecallCurve c
        && Arrays.equals(c.parameters, parameters)
        && Arrays.equals(c.recalls, recalls);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(parameters) + Arrays.hashCode(recalls);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RecallCurve[");
    for (int i = 0; i < parameters.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(parameters[i]).append('=').append(recalls[i]);
    }
    return sb.append(']').toString();
  }
}
