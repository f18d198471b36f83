package io.iqdb.codecs.flat;

import java.io.IOException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.util.Bits;

/**
 * Float vectors of a quantized field whose {@link #scorer} scores the raw vectors. Lucene's exact
 * search (used for small or selective filters) scores through {@code scorer}; Lucene's quantized
 * values would return approximate scores there, while iQDB promises exact scores from every search
 * of a flat format.
 */
final class ExactScoringVectorValues extends FloatVectorValues {

  private final FloatVectorValues in;

  ExactScoringVectorValues(FloatVectorValues in) {
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
