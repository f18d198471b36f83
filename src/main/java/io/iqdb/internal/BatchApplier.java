package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.Payload;
import io.iqdb.internal.wal.WalEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;

/**
 * How a batch of the log becomes changes of the index, all or nothing: for live writes (under the
 * collection's locks, see {@code CollectionWriter}) and for batches replayed from the log at open.
 */
final class BatchApplier {
  private BatchApplier() {}

  /**
   * Applies a batch replayed from the log at open, before the collection exists. The batch is
   * checked whole first, as a live write is, so that a record the index would refuse is refused
   * whole (and quarantined by the caller) rather than applied in part.
   *
   * @throws io.iqdb.InvalidArgumentException or IllegalArgumentException if the batch is refused
   */
  static void applyReplayed(IndexWriter writer, Schema schema, CollectionConfig config, List<WalEntry> ops)
      throws IOException {
    Checked checked = check(schema, config, ops);
    applyOps(writer, schema, ops, checked.payloads(), checked.texts());
    checked.register(schema);
  }

  /**
   * A replayed batch checked whole: the decoded payloads and texts of its upserts, in order.
   *
   * @param payloads the payloads
   * @param texts the texts, null for none
   * @param upserts the (id, payload) pairs, whose field types {@link #register} adds to the schema
   */
  record Checked(List<Payload> payloads, List<String> texts, List<Map.Entry<String, Payload>> upserts) {
    /** Adds the batch's field types to the schema, once the batch is applied (or handed out to be). */
    void register(Schema schema) {
      for (Map.Entry<String, Payload> u : upserts) {
        schema.register(u.getKey(), u.getValue());
      }
    }
  }

  /**
   * Checks a replayed batch whole, as a live write is checked, and decodes its payloads.
   *
   * @throws io.iqdb.InvalidArgumentException or IllegalArgumentException if the batch is refused
   */
  static Checked check(Schema schema, CollectionConfig config, List<WalEntry> ops) {
    List<Payload> payloads = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (WalEntry e : ops) {
      Validation.checkId(e.id());
      if (e.op() == WalEntry.Op.UPSERT) {
        Validation.checkVector(config, e.vector(), "record '" + e.id() + "'");
        PayloadCodec.Decoded d = PayloadCodec.decodeWithText(e.payload(), 0, e.payload().length);
        payloads.add(d.payload());
        texts.add(Validation.checkText(d.text(), "record '" + e.id() + "'"));
      }
    }
    List<Map.Entry<String, Payload>> upserts = upserts(ops, payloads);
    schema.checkAll(upserts);
    return new Checked(payloads, texts, upserts);
  }

  /**
   * Applies a batch to the index, all or nothing; {@code payloads} and {@code texts} are the decoded
   * payloads and texts (null for none) of its upserts, in order. One upsert is Lucene's atomic
   * {@code updateDocument}; several are one {@code updateDocuments} block, which Lucene indexes
   * whole or not at all (a document it refuses drops the block, and the block's delete of the older
   * versions applies only once the block is in); deletes are one {@code deleteDocuments} call. The
   * API never mixes upserts and deletes in one batch.
   */
  static void applyOps(
      IndexWriter writer, Schema schema, List<WalEntry> ops, List<Payload> payloads, List<String> texts)
      throws IOException {
    if (ops.get(0).op() == WalEntry.Op.DELETE) {
      Term[] terms = new Term[ops.size()];
      for (int i = 0; i < terms.length; i++) {
        terms[i] = new Term(Schema.ID, ops.get(i).id());
      }
      writer.deleteDocuments(terms);
      return;
    }
    List<Document> docs = new ArrayList<>(ops.size());
    List<BytesRef> ids = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      WalEntry up = ops.get(i);
      docs.add(schema.document(up.id(), up.vector(), payloads.get(i), texts.get(i), up.payload()));
      ids.add(new BytesRef(up.id()));
    }
    if (docs.size() == 1) {
      writer.updateDocument(new Term(Schema.ID, ids.get(0)), docs.get(0));
    } else {
      writer.updateDocuments(new TermInSetQuery(Schema.ID, ids), docs);
    }
  }

  /** The (id, payload) pairs of a batch's upserts. */
  static List<Map.Entry<String, Payload>> upserts(List<WalEntry> ops, List<Payload> payloads) {
    List<Map.Entry<String, Payload>> result = new ArrayList<>(payloads.size());
    int u = 0;
    for (WalEntry op : ops) {
      if (op.op() == WalEntry.Op.UPSERT) {
        result.add(Map.entry(op.id(), payloads.get(u++)));
      }
    }
    return result;
  }
}
