package io.iqdb.internal;

import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;

/** A lazy stream over every live record of one point-in-time searcher. */
final class RecordScan extends Spliterators.AbstractSpliterator<VectorRecord> {
  private final List<LeafReaderContext> leaves;
  private final String collection;
  private int leaf = -1;
  private FloatVectorValues values;
  private KnnVectorValues.DocIndexIterator it;
  private LeafReader reader;
  private Bits live;

  private RecordScan(IndexSearcher searcher, String collection) {
    super(searcher.getIndexReader().numDocs(), Spliterator.NONNULL | Spliterator.SIZED);
    this.leaves = searcher.getIndexReader().leaves();
    this.collection = collection;
  }

  static Stream<VectorRecord> stream(IndexSearcher searcher, Runnable release, String collection) {
    return StreamSupport.stream(new RecordScan(searcher, collection), false).onClose(release);
  }

  @Override
  public boolean tryAdvance(Consumer<? super VectorRecord> action) {
    try {
      while (true) {
        if (it == null) {
          if (++leaf >= leaves.size()) {
            return false;
          }
          reader = leaves.get(leaf).reader();
          values = reader.getFloatVectorValues(Schema.VECTOR);
          if (values == null) {
            continue;
          }
          it = values.iterator();
          live = reader.getLiveDocs();
        }
        int doc = it.nextDoc();
        if (doc == DocIdSetIterator.NO_MORE_DOCS) {
          it = null;
          continue;
        }
        if (live != null && !live.get(doc)) {
          continue;
        }
        PayloadCodec.Decoded stored = RecordFields.payloadAndText(reader, doc);
        action.accept(new VectorRecord(
            RecordFields.id(reader, doc), values.vectorValue(it.index()).clone(), stored.payload(), stored.text()));
        return true;
      }
    } catch (IOException e) {
      throw Errors.translate(e, "scan of collection '" + collection + "'");
    }
  }
}
