package io.iqdb.codecs.flat;

import java.io.IOException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.util.Bits;

/**
 * Float vectors of a quantized field whose {@link #scorer} scores the raw vectors. Lucene's exact
 * search (used for small or selective filters) scores through {@code scorer}; Lucene's quantized
 * values would return approximate scores there, while iQDB promises exact scores from every search
 * of a flat format. The dedup format's reader of quantized graphs hands these out for the same
 * reason (its exact search then ranks as exact search over a float field).
 *
 * <p>Public for iQDB's other codec packages; not meant for applications.
 */
public final class ExactScoringVectorValues extends FloatVectorValues {

  private final FloatVectorValues in;

  /**
   * Wraps a quantized field's values.
   *
   * @param in the values: raw vectors, with a {@link #rescorer} that scores them
   */
  public ExactScoringVectorValues(FloatVectorValues in) {
    this.in = in;
  }

  @Override
  public float[] vectorValue(int ord) throws IOException {
    return in.vectorValue(ord);
  }

  @Override
  public FloatVectorValues copy() throws IOException {
    return new ExactScoringVectorValues(in.copy());
  }

  @Override
  public int dimension() {
    return in.dimension();
  }

  @Override
  public int size() {
    return in.size();
  }

  @Override
  public int ordToDoc(int ord) {
    return in.ordToDoc(ord);
  }

  @Override
  public Bits getAcceptOrds(Bits acceptDocs) {
    return in.getAcceptOrds(acceptDocs);
  }

  @Override
  public DocIndexIterator iterator() {
    return in.iterator();
  }

  @Override
  public VectorScorer scorer(float[] query) throws IOException {
    return in.rescorer(query);
  }

  @Override
  public VectorScorer rescorer(float[] target) throws IOException {
    return in.rescorer(target);
  }
}
