package io.iqdb.recovery;

import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the database must contain: the records of every collection after a sequence of
 * acknowledged operations.
 */
final class Model {
  private final Map<String, Map<String, VectorRecord>> collections = new TreeMap<>();

  Model() {
    for (String c : Workload.COLLECTIONS) {
      collections.put(c, new TreeMap<>());
    }
  }

  Model copy() {
    Model m = new Model();
    collections.forEach((c, records) -> m.collections.get(c).putAll(records));
    return m;
  }

  /** Applies an operation as the database must: the last record of an id in a batch wins. */
  void apply(Workload.Op op) {
    if (op.isFlush()) {
      return;
    }
    Map<String, VectorRecord> records = collections.get(op.collection());
    for (VectorRecord r : op.upserts()) {
      records.put(r.id(), r);
    }
    for (String id : op.deletes()) {
      records.remove(id);
    }
  }

  /** The operation applied to a copy of this model. */
  Model after(Workload.Op op) {
    Model m = copy();
    m.apply(op);
    return m;
  }

  /** Records of a collection. */
  Map<String, VectorRecord> records(String collection) {
    return collections.get(collection);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Model m && collections.equals(m.collections);
  }

  @Override
  public int hashCode() {
    return collections.hashCode();
  }

  /** What a database holds, read through scan(). */
  static Model read(Iqdb db) {
    Model m = new Model();
    for (String c : Workload.COLLECTIONS) {
      try (Stream<VectorRecord> s = db.collection(c).scan()) {
        s.forEach(r -> {
          if (m.collections.get(c).put(r.id(), r) != null) {
            throw new AssertionError("collection '" + c + "': scan returned id " + r.id() + " twice");
          }
        });
      }
    }
    return m;
  }

  /**
   * Differences between this model and another, for failure messages.
   *
   * @param actual what the database holds
   * @return a description, empty if they are equal
   */
  String diff(Model actual) {
    List<String> out = new ArrayList<>();
    for (String c : Workload.COLLECTIONS) {
      Map<String, VectorRecord> want = collections.get(c);
      Map<String, VectorRecord> got = actual.collections.get(c);
      for (var e : want.entrySet()) {
        VectorRecord g = got.get(e.getKey());
        if (g == null) {
          out.add(c + "/" + e.getKey() + " missing (want " + e.getValue().payload() + ")");
        } else if (!g.equals(e.getValue())) {
          out.add(c + "/" + e.getKey() + " is " + g.payload() + ", want " + e.getValue().payload());
        }
      }
      for (String id : got.keySet()) {
        if (!want.containsKey(id)) {
          out.add(c + "/" + id + " present (" + got.get(id).payload() + "), want absent");
        }
      }
    }
    return out.stream().limit(20).collect(Collectors.joining("; "));
  }

  /**
   * Checks that the database's reads agree with this model beyond scan(): count, get of every id
   * and of some absent ids, and an exact nearest-neighbour search for a few stored vectors.
   *
   * @return a description of the first disagreement, or null
   */
  String checkReads(Iqdb db) {
    for (String c : Workload.COLLECTIONS) {
      VectorCollection col = db.collection(c);
      Map<String, VectorRecord> want = collections.get(c);
      if (col.count() != want.size()) {
        return c + ": count() " + col.count() + ", want " + want.size();
      }
      for (VectorRecord r : want.values()) {
        VectorRecord g = col.get(r.id()).orElse(null);
        if (!r.equals(g)) {
          return c + ": get(" + r.id() + ") = " + g + ", want " + r;
        }
      }
      if (col.get("absent-id").isPresent()) {
        return c + ": get(absent-id) found a record";
      }
      int probes = 0;
      for (VectorRecord r : want.values()) {
        if (probes++ == 3) {
          break;
        }
        List<Hit> hits = col.search(SearchRequest.of(r.vector(), 1).exact(true));
        if (hits.isEmpty() || !Objects.equals(hits.get(0).id(), r.id())) {
          return c + ": exact search for the vector of " + r.id() + " returned " + hits;
        }
      }
    }
    return null;
  }

  /**
   * Matches what a recovered database holds against this model of the acknowledged operations,
   * collection by collection: each must equal this model, or this model followed by a prefix of
   * the operations on it that may or may not have happened (in flight at a crash, or failed with
   * an exception), in order.
   *
   * @param actual what the database holds
   * @param maybe operations that were started but not acknowledged, in the order they ran
   * @return the model of what the database holds
   * @throws AssertionError if some collection matches no such state
   */
  Model reconcile(Model actual, List<Workload.Op> maybe) {
    Model result = copy();
    for (String c : Workload.COLLECTIONS) {
      Model candidate = copy();
      List<String> tried = new ArrayList<>();
      boolean matched = candidate.records(c).equals(actual.records(c));
      for (Workload.Op op : maybe) {
        if (matched) {
          break;
        }
        if (op.isFlush() || !op.collection().equals(c)) {
          continue;
        }
        tried.add("after " + op + ": " + candidate.after(op).diffOf(c, actual));
        candidate.apply(op);
        matched = candidate.records(c).equals(actual.records(c));
      }
      if (!matched) {
        throw new AssertionError("collection '" + c + "' after recovery matches neither the acknowledged state ("
            + diffOf(c, actual) + ")" + (tried.isEmpty() ? "" : " nor the states " + tried));
      }
      result.collections.put(c, new TreeMap<>(candidate.records(c)));
    }
    return result;
  }

  /**
   * Like {@link #reconcile}, for operations of concurrent writers on disjoint ids: any subset of
   * the operations in flight may have happened, each entirely.
   *
   * @param actual what the database holds
   * @param maybe the operations in flight, at most one per writer
   * @return the model of what the database holds
   * @throws AssertionError if some collection matches no such state
   */
  Model reconcileAnySubset(Model actual, List<Workload.Op> maybe) {
    Model result = copy();
    for (String c : Workload.COLLECTIONS) {
      List<Workload.Op> ops = maybe.stream().filter(op -> !op.isFlush() && op.collection().equals(c)).toList();
      Model match = null;
      for (int mask = 0; mask < 1 << ops.size() && match == null; mask++) {
        Model candidate = copy();
        for (int i = 0; i < ops.size(); i++) {
          if ((mask & 1 << i) != 0) {
            candidate.apply(ops.get(i));
          }
        }
        if (candidate.records(c).equals(actual.records(c))) {
          match = candidate;
        }
      }
      if (match == null) {
        throw new AssertionError("collection '" + c + "' after recovery matches no state of the acknowledged "
            + "operations plus a subset of those in flight " + ops + "; differences from the acknowledged state: "
            + diffOf(c, actual));
      }
      result.collections.put(c, new TreeMap<>(match.records(c)));
    }
    return result;
  }

  private String diffOf(String c, Model actual) {
    Model a = new Model();
    Model b = new Model();
    a.collections.put(c, collections.get(c));
    b.collections.put(c, actual.collections.get(c));
    return a.diff(b);
  }

  /**
   * Opens nothing: reads {@code db}, reconciles it with this model and {@code maybe}, and checks
   * reads, searches and Lucene's CheckIndex ({@code Iqdb#check()}).
   *
   * @return the model of what the database holds
   */
  Model verify(Iqdb db, List<Workload.Op> maybe) {
    return check(db, reconcile(read(db), maybe));
  }

  /** {@link #verify} for concurrent writers on disjoint ids (see {@link #reconcileAnySubset}). */
  Model verifyConcurrent(Iqdb db, List<Workload.Op> inFlight) {
    return check(db, reconcileAnySubset(read(db), inFlight));
  }

  private static Model check(Iqdb db, Model now) {
    String reads = now.checkReads(db);
    if (reads != null) {
      throw new AssertionError(reads);
    }
    Map<String, String> problems = db.check();
    if (!problems.isEmpty()) {
      throw new AssertionError("CheckIndex found problems: " + problems);
    }
    return now;
  }

  int size() {
    return collections.values().stream().mapToInt(Map::size).sum();
  }
}
