package io.iqdb.recovery;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import io.iqdb.ClosedException;
import io.iqdb.CollectionConfig;
import io.iqdb.CollectionExistsException;
import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.InvalidNameException;
import io.iqdb.Metric;
import io.iqdb.Iqdb;
import io.iqdb.Payload;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.recovery.ApiModel.Col;
import io.iqdb.recovery.ApiModel.Rec;
import io.iqdb.recovery.ApiModel.Scored;
import io.iqdb.recovery.Referee.ModelViolation;
import io.iqdb.recovery.Referee.Restart;
import io.iqdb.recovery.Referee.Result;
import io.iqdb.recovery.ModelInputs.PayloadSpec;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.QueryCachingPolicy;
import org.apache.lucene.search.UsageTrackingQueryCachingPolicy;

/**
 * A model-based randomized test of the whole public API: thousands of random steps (upsert,
 * upsertAll, delete, deleteAll, get, exact and approximate search with random filters, scan, count,
 * stats, flush, compact, create and drop collection, close and reopen, calls on closed handles, and
 * probes of every factory and method with null and out-of-range arguments) over a few collections
 * of every index kind and metric, on disk, with good and adversarial inputs ({@link ModelInputs}).
 * After every step the database is compared with an in-memory model ({@link ApiModel}):
 *
 * <ul>
 *   <li>a call with bad input throws a subtype of {@link InvalidArgumentException} (the specific one
 *       the README names where it names one), never a {@code NullPointerException}, an {@code
 *       IllegalArgumentException} or a {@code StorageException}, and changes nothing;
 *   <li>a call with good input succeeds; get, scan, count and stats match the model;
 *   <li>exact search equals the model's brute force under the README's score formulas (ids, allowing
 *       ties within the score tolerance, and scores within 1e-4 relative); filtered exact search
 *       returns exactly the top k of the matching records; approximate search returns matching
 *       records with exact scores, best first;
 *   <li>the database always reopens, with exactly the acknowledged records, collections and
 *       configurations, and passes Lucene's CheckIndex.
 * </ul>
 *
 * <p>Expectations chosen where the documentation is silent (as a demanding user would expect them):
 * every null argument, including a null collection name to {@code collection}, {@code
 * findCollection} and {@code dropCollection}, is an {@link InvalidArgumentException}; keyword values
 * and list elements over Lucene's 32,766-byte term limit are refused by {@link Payload} itself; a
 * field's type, once a live record has it (an empty list included), is fixed across reopens; a
 * type conflict with, or a filter on, a field that only deleted records had may succeed or fail;
 * {@code exists} does not match an empty list; a vector whose float products under- or overflow may
 * be refused ({@link io.iqdb.InvalidVectorException}) but, if accepted, must score as the README's
 * formula says.
 *
 * <p>Steps: {@value #DEFAULT_STEPS} by default, {@code -Drecovery.model.steps=N} for more. The
 * first disagreement fails the test with the seed, the step and the last steps; with {@code
 * -Drecovery.model.keepGoing=true} every disagreement is recorded, the database is checked for
 * reopening and replaced by a fresh one, and the test fails at the end with each distinct
 * disagreement, its count and its first occurrence (for surveying an implementation).
 */
public class TestModelBasedApi extends RecoveryTestCase {
  static final int DEFAULT_STEPS = 600;

  /** The names the steps create and drop collections under. */
  private static final List<String> NAMES = List.of("c0", "c1", "c2", "c3", "c4");
  private static final int MAX_COLLECTIONS = 4;
  private static final List<String> BAD_NAMES =
      Arrays.asList(null, "", "-a", "_a", "a/b", "..", "ü", "a b", "a".repeat(65), "a\uD800");

  private String seed;
  private Referee ref;
  private Random r;
  private ModelInputs in;
  private boolean keepGoing;
  private boolean adversarial;
  private Path root;
  private int generation;
  private Path dir;
  private Iqdb db;
  private ApiModel model;
  private final List<VectorCollection> stale = new ArrayList<>();

  private int reopens;
  /** Approximate searches that returned fewer hits than min(k, matching records): counted, not failed. */
  private int shortApproximate;
  private int approximate;
  /** Collections created COSINE with a quantized flat or HNSW index (the quantized-centroid case). */
  private int quantizedCosine;
  public void testRandomApiAgainstModel() {
    int steps = Integer.getInteger("recovery.model.steps", DEFAULT_STEPS);
    keepGoing = Boolean.getBoolean("recovery.model.keepGoing");
    adversarial = Boolean.parseBoolean(System.getProperty("recovery.model.adversarial", "true"));
    seed = RandomizedContext.current().getRunnerSeedAsString();
    ref = new Referee(seed, keepGoing);
    r = new Random(random().nextLong());
    in = new ModelInputs(r, adversarial);
    root = createTempDir("model");
    // LuceneTestCase installs a query-caching policy that calls random(), which fails on threads
    // outside the test's context, such as the common pool that searchBatchRequests runs on.
    QueryCachingPolicy testPolicy = IndexSearcher.getDefaultQueryCachingPolicy();
    IndexSearcher.setDefaultQueryCachingPolicy(new UsageTrackingQueryCachingPolicy());
    try {
      run(steps);
    } finally {
      IndexSearcher.setDefaultQueryCachingPolicy(testPolicy);
      closeQuietly(); // after a failure: no background thread of the database outlives the test
    }
  }

  private void run(int steps) {
    long start = System.nanoTime();
    startFresh();
    for (int step = 0; step < steps; step++) {
      ref.step(step);
      long t0 = System.nanoTime();
      try {
        try {
          step();
        } catch (Restart | ModelViolation e) {
          throw e;
        } catch (RuntimeException | AssertionError e) {
          ref.violation("unexpected " + e.getClass().getSimpleName() + " in a " + ref.stepKind() + " step",
              Referee.describe(e), e);
        }
      } catch (Restart e) {
        restart();
      }
      ref.stepMillis.merge(ref.stepKind(), (System.nanoTime() - t0) / 1_000_000, Long::sum);
    }
    ref.step(steps);
    try {
      reopen();
      db.close();
    } catch (Restart e) {
      restart();
      db.close();
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    String summary = "TestModelBasedApi: seed " + seed + ": " + steps + " steps in " + seconds + " s, "
        + reopens + " reopens, " + generation + " restarts; " + quantizedCosine
        + " quantized COSINE flat/HNSW collections created; " + shortApproximate + " of " + approximate
        + " approximate searches returned fewer than min(k, matching) hits; steps " + ref.stepCounts + "; ms by step kind " + ref.stepMillis
        + "; bad inputs rejected as expected "
        + ref.rejected;
    System.out.println(summary);
    String failures = ref.failures();
    if (failures != null) {
      System.out.println(failures);
      fail(failures);
    }
  }

  // ------------------------------------------------------------------ the steps

  private void step() {
    int x = r.nextInt(1000);
    if (model.cols.isEmpty() || x < 15) {
      create();
      return;
    }
    Col c = pick(new ArrayList<>(model.cols.values()));
    if (x < 300) {
      upsert(c);
    } else if (x < 340) {
      upsertRecord(c);
    } else if (x < 440) {
      upsertAll(c);
    } else if (x < 520) {
      delete(c);
    } else if (x < 560) {
      deleteAll(c);
    } else if (x < 640) {
      get(c);
    } else if (x < 840) {
      search(c);
    } else if (x < 860) {
      ref.begin("scan " + c);
      verifyCollection(c, List.of());
      checkStats(c);
    } else if (x < 880) {
      flush(c);
    } else if (x < 890) {
      compact(c);
    } else if (x < 905) {
      drop();
    } else if (x < 920) {
      reopen();
    } else if (x < 935 || !adversarial) {
      callStaleHandle();
    } else {
      probe(c);
    }
  }

  private void upsert(Col c) {
    String id = in.id();
    float[] vector = in.vector(c);
    PayloadSpec spec = in.payload(c);
    ref.begin("upsert " + c + " " + Text.shorten(id) + " " + Text.describeVector(vector) + " " + spec);
    Built payload = buildPayload(spec);
    if (payload == null) {
      verifyCollection(c, idIfValid(id));
      return;
    }
    Rec rec = new Rec(id, vector, payload.payload());
    Expect e = ApiModel.checkWrite(c, List.of(rec)).and(payload.write());
    Result<Object> done = ref.attempt("upsert", e, true, () -> {
      c.handle.upsert(id, vector, payload.payload());
      return null;
    });
    if (!done.threw()) {
      c.upsert(List.of(rec));
      if (r.nextInt(8) == 0) {
        vector[0] += 1; // the caller's array is the caller's: the database kept a copy
      }
    }
    verifyCollection(c, idIfValid(id));
  }

  private void upsertRecord(Col c) {
    boolean nullRecord = in.bad(0.05);
    String id = in.id();
    float[] vector = in.vector(c);
    Payload payload = r.nextInt(4) == 0 ? null : Payload.of("lang", ModelInputs.VOCAB.get(r.nextInt(3)));
    ref.begin("upsert(VectorRecord) " + c + (nullRecord ? " null" : " " + Text.shorten(id) + " " + Text.describeVector(vector)));
    Rec rec = new Rec(id, vector, payload);
    Expect e = nullRecord
        ? Expect.fail(InvalidArgumentException.class, "null record")
        : ApiModel.checkWrite(c, List.of(rec));
    Result<Object> done = ref.attempt("upsert(VectorRecord)", e, true, () -> {
      c.handle.upsert(nullRecord ? null : new VectorRecord(id, vector, payload));
      return null;
    });
    if (!done.threw()) {
      c.upsert(List.of(rec));
    }
    verifyCollection(c, nullRecord ? List.of() : idIfValid(id));
  }

  private void upsertAll(Col c) {
    int shape = r.nextInt(100);
    int n = shape < 5 ? 0 : shape < 15 ? 2 : 1 + r.nextInt(8); // 2: often a vector and its antipode
    ref.begin("upsertAll " + c);
    List<Rec> recs = new ArrayList<>();
    Expect payloads = Expect.OK;
    for (int i = 0; i < n; i++) {
      String id = i > 0 && r.nextInt(5) == 0 ? recs.get(r.nextInt(i)).id() : in.id(); // duplicates
      PayloadSpec spec = in.payload(c);
      ref.detail("upsertAll " + c.name + ": payload " + spec);
      Built p = buildPayload(spec); // a payload that must not build is left out of the batch
      payloads = payloads.and(p == null ? Expect.OK : p.write());
      boolean antipode = i > 0 && (shape < 15 ? r.nextInt(2) == 0 : r.nextInt(6) == 0);
      recs.add(new Rec(id, antipode ? antipodeOf(recs.get(r.nextInt(i)).vector(), c) : in.vector(c),
          p == null ? null : p.payload()));
    }
    int nulls = r.nextInt(100);
    boolean nullBatch = adversarial && nulls < 3;
    int nullAt = adversarial && nulls >= 3 && nulls < 6 ? r.nextInt(n + 1) : -1;
    ref.detail("upsertAll " + c + (nullBatch ? " null" : " " + recs + (nullAt >= 0 ? " with null at " + nullAt : "")));
    Expect e = nullBatch ? Expect.fail(InvalidArgumentException.class, "null batch")
        : nullAt >= 0 ? Expect.fail(InvalidArgumentException.class, "null record in a batch").and(ApiModel.checkWrite(c, recs))
        : ApiModel.checkWrite(c, recs);
    e = e.and(payloads);
    int kind = r.nextInt(4);
    Result<Object> done = ref.attempt("upsertAll", e, true, () -> {
      if (nullBatch) {
        c.handle.upsertAll(null);
        return null;
      }
      List<VectorRecord> batch = new ArrayList<>();
      for (Rec rec : recs) {
        batch.add(new VectorRecord(rec.id(), rec.vector(), rec.payload()));
      }
      if (nullAt >= 0) {
        batch.add(nullAt, null);
      }
      Collection<VectorRecord> arg = switch (nullAt >= 0 ? 0 : kind) {
        case 1 -> List.copyOf(batch);
        case 2 -> new LinkedList<>(batch);
        case 3 -> new ArrayDeque<>(batch);
        default -> batch;
      };
      c.handle.upsertAll(arg);
      return null;
    });
    if (!done.threw()) {
      c.upsert(recs);
    }
    List<String> ids = new ArrayList<>();
    recs.forEach(rec -> ids.addAll(idIfValid(rec.id())));
    verifyCollection(c, ids);
  }

  private void delete(Col c) {
    String id = in.idIn(c);
    ref.begin("delete " + c + " " + Text.shorten(id));
    Result<Boolean> done = ref.attempt("delete", ApiModel.checkId(id), true, () -> c.handle.delete(id));
    if (!done.threw()) {
      boolean existed = c.records.remove(id) != null;
      if (done.value() != existed) {
        ref.violation("delete returned " + done.value() + " for a record that " + (existed ? "existed" : "did not exist"),
            "id " + Text.shorten(id), null);
      }
    }
    verifyCollection(c, idIfValid(id));
  }

  private void deleteAll(Col c) {
    int shape = r.nextInt(100);
    List<String> ids = new ArrayList<>();
    int n = r.nextInt(7);
    for (int i = 0; i < n; i++) {
      ids.add(i > 0 && r.nextInt(4) == 0 ? ids.get(r.nextInt(i)) : in.idIn(c));
    }
    if (adversarial && shape < 3) {
      ids.add(r.nextInt(ids.size() + 1), null);
    }
    boolean nullList = adversarial && shape >= 3 && shape < 6;
    ref.begin("deleteAll " + c + " " + (nullList ? "null" : ids.stream().map(Text::shorten).toList()));
    Expect e = nullList ? Expect.fail(InvalidArgumentException.class, "null id collection") : Expect.OK;
    for (String id : ids) {
      e = e.and(ApiModel.checkId(id));
    }
    boolean asSet = !ids.contains(null) && r.nextBoolean();
    Result<Integer> done = ref.attempt("deleteAll", e, true,
        () -> c.handle.deleteAll(nullList ? null : asSet ? new LinkedHashSet<>(ids) : ids));
    if (!done.threw()) {
      int existed = 0;
      for (String id : new HashSet<>(ids)) {
        existed += c.records.remove(id) != null ? 1 : 0;
      }
      if (done.value() != existed) {
        ref.violation("deleteAll returned a count other than the number of distinct ids that existed",
            "returned " + done.value() + ", want " + existed + " for " + ids.stream().map(Text::shorten).toList(), null);
      }
    }
    List<String> valid = new ArrayList<>();
    ids.forEach(id -> valid.addAll(idIfValid(id)));
    verifyCollection(c, valid);
  }

  private void get(Col c) {
    String id = in.idIn(c);
    ref.begin("get " + c + " " + Text.shorten(id));
    Result<Optional<VectorRecord>> got = ref.attempt("get", ApiModel.checkId(id), false, () -> c.handle.get(id));
    if (!got.threw()) {
      VectorRecord want = c.records.get(id);
      if (!Objects.equals(got.value(), Optional.ofNullable(want))) {
        ref.violation("get differs from the model", "got " + got.value().map(Text::describe) + ", want " + Text.describe(want), null);
      }
    }
  }

  private void search(Col c) {
    float[] q = in.vector(c);
    int k = in.k();
    FilterSpec f = r.nextInt(10) < 6 ? in.filter(c, 2) : null;
    boolean exact = r.nextInt(100) < 85;
    boolean vectors = r.nextInt(5) == 0;
    boolean payloads = r.nextInt(7) != 0;
    int style = r.nextInt(10);
    ref.begin("search " + c + " k=" + k + " q=" + Text.describeVector(q) + " filter=" + f + (exact ? " exact" : " approximate")
        + (style == 0 ? " (batch)" : ""));
    Expect e = ApiModel.checkVector(c.config, q, "query")
        .and(k < 1 || k > SearchRequest.MAX_K ? Expect.fail(InvalidArgumentException.class, "k out of range") : Expect.OK)
        .and(f == null ? Expect.OK : f.check(c));
    Result<List<Hit>> hits = ref.attempt("search", e, false, () -> {
      Filter filter = f == null ? null : f.build();
      SearchRequest req = SearchRequest.of(q, k).exact(exact).includeVectors(vectors).includePayload(payloads);
      if (filter != null) {
        req = req.filter(filter); // filter(null) is refused: no filter is no call
      }
      if (style == 0) {
        List<List<Hit>> both = c.handle.searchBatchRequests(List.of(req, req));
        if (!both.get(0).equals(both.get(1))) {
          ref.violation("searchBatchRequests gave two answers to one request on one view", both.toString(), null);
        }
        return both.get(0);
      }
      return c.handle.search(req);
    });
    if (!hits.threw()) {
      checkHits(c, q, k, f, exact, vectors, payloads, hits.value());
    }
  }

  private void flush(Col c) {
    boolean all = r.nextBoolean();
    ref.begin("flush " + (all ? "database" : c.toString()));
    ref.attempt("flush", Expect.OK, true, () -> {
      if (all) {
        db.flush();
      } else {
        c.handle.flush();
      }
      return null;
    });
    verifyCollection(c, List.of());
  }

  private void compact(Col c) {
    int max = in.bad(0.3) ? pick(List.of(0, -1)) : pick(List.of(1, 1, 2, 5));
    ref.begin("compact " + c + " " + max);
    Expect e = max < 1 ? Expect.fail(InvalidArgumentException.class, "compact to fewer than 1 segment") : Expect.OK;
    ref.attempt("compact", e, true, () -> {
      c.handle.compact(max);
      return null;
    });
    verifyCollection(c, List.of());
  }

  private void create() {
    boolean bad = in.bad(0.1);
    String name = bad ? pick(BAD_NAMES) : pick(NAMES);
    if (!bad && !model.cols.containsKey(name) && model.cols.size() >= MAX_COLLECTIONS) {
      name = pick(new ArrayList<>(model.cols.keySet())); // exercise "exists" rather than grow
    }
    boolean large = model.cols.values().stream().anyMatch(c -> c.config.dimension() > 16);
    CollectionConfig config = in.bad(0.03) ? null : in.config(!large);
    String n = name;
    ref.begin("createCollection " + Text.shorten(name) + " " + config);
    Expect e = Expect.OK;
    if (name == null) {
      e = e.and(Expect.fail(InvalidArgumentException.class, "null collection name"));
    } else if (BAD_NAMES.contains(name)) {
      e = e.and(Expect.fail(InvalidNameException.class, "invalid collection name"));
    } else if (model.cols.containsKey(name)) {
      e = e.and(Expect.fail(CollectionExistsException.class, "existing collection name"));
    }
    if (config == null) {
      e = e.and(Expect.fail(InvalidArgumentException.class, "null collection config"));
    } else if (config.index().quantization() != Quantization.NONE && !(config.index() instanceof IndexSpec.Ivf)) {
      e = e.and(Expect.either(InvalidArgumentException.class, "quantized index the codec may refuse"));
    }
    Result<VectorCollection> made = ref.attempt("createCollection", e, true, () -> db.createCollection(n, config));
    if (!made.threw()) {
      model.cols.put(name, new Col(name, config, made.value()));
      if (config.metric() == Metric.COSINE && config.index().quantization() != Quantization.NONE
          && !(config.index() instanceof IndexSpec.Ivf)) {
        quantizedCosine++;
      }
      if (!made.value().config().equals(config) || !made.value().name().equals(name)) {
        ref.violation("a new collection's name or config differs from what was given", made.value().config() + " vs " + config, null);
      }
    }
    checkCollectionList();
  }

  private void drop() {
    boolean bad = in.bad(0.1);
    String name = bad ? pick(Arrays.asList(null, "a/b", "", "missing")) : pick(NAMES);
    ref.begin("dropCollection " + Text.shorten(name));
    Expect e = name == null ? Expect.fail(InvalidArgumentException.class, "null collection name")
        : bad && !name.equals("missing") ? Expect.either(InvalidArgumentException.class, "invalid collection name")
        : Expect.OK;
    Result<Boolean> dropped = ref.attempt("dropCollection", e, true, () -> db.dropCollection(name));
    if (!dropped.threw()) {
      Col c = model.cols.remove(name);
      if (dropped.value() != (c != null)) {
        ref.violation("dropCollection returned " + dropped.value() + " for a collection that "
            + (c != null ? "existed" : "did not exist"), Text.shorten(name), null);
      }
      if (c != null) {
        addStale(c.handle);
      }
    }
    checkCollectionList();
  }

  private void reopen() {
    ref.begin("close and reopen");
    reopens++;
    Iqdb old = db;
    ref.attempt("close", Expect.OK, true, () -> {
      old.close();
      return null;
    });
    model.cols.values().forEach(c -> addStale(c.handle));
    ref.attempt("close again", Expect.OK, true, () -> {
      old.close();
      return null;
    });
    ref.attempt("listCollections after close", Expect.fail(ClosedException.class, "closed database"), false, old::listCollections);
    Result<Iqdb> opened = ref.attempt("reopen", Expect.OK, true, this::openDatabase);
    db = opened.value();
    verifyAll(true);
  }

  private void callStaleHandle() {
    if (stale.isEmpty()) {
      return;
    }
    VectorCollection h = pick(stale);
    int dim = h.config().dimension();
    float[] unit = new float[dim];
    Arrays.fill(unit, (float) (1 / Math.sqrt(dim)));
    int what = r.nextInt(6);
    ref.begin("call " + what + " on the stale handle of " + h.name());
    ref.attempt("call on a closed or dropped collection", Expect.fail(ClosedException.class, "closed collection handle"), false, () ->
        switch (what) {
          case 0 -> h.get("id-1");
          case 1 -> h.count();
          case 2 -> {
            h.upsert("id-1", unit);
            yield null;
          }
          case 3 -> h.search(SearchRequest.of(unit, 3).exact(true));
          case 4 -> {
            h.flush();
            yield null;
          }
          default -> {
            try (Stream<VectorRecord> s = h.scan()) {
              yield s.count();
            }
          }
        });
  }

  /** Null and out-of-range arguments to the API's factories and methods: each must throw an InvalidArgumentException. */
  private void probe(Col c) {
    float[] q = in.gaussian(c.config.dimension(), c.config.metric());
    ApiProbes.Probe p = pick(ApiProbes.all(db, c.handle, q));
    ref.begin("probe " + p.label() + " on " + c.name);
    ref.attempt(p.label(), Expect.fail(InvalidArgumentException.class, p.label()), false, p.call());
    checkCollectionList();
  }

  // ------------------------------------------------------------------ checks

  /** count, get of the given ids and of an absent one, and a full scan of {@code c} against the model. */
  void verifyCollection(Col c, List<String> ids) {
    long count = c.handle.count();
    if (count != c.records.size()) {
      ref.violation("count() differs from the model", "count " + count + ", model " + c.records.size() + " in " + c, null);
    }
    for (String id : ids) {
      Optional<VectorRecord> got = c.handle.get(id);
      VectorRecord want = c.records.get(id);
      if (!got.equals(Optional.ofNullable(want))) {
        ref.violation("get differs from the model", "get(" + Text.shorten(id) + ") = " + got.map(Text::describe)
            + ", want " + Text.describe(want), null);
      }
    }
    Map<String, VectorRecord> scanned = new TreeMap<>();
    try (Stream<VectorRecord> s = c.handle.scan()) {
      s.forEach(rec -> {
        if (scanned.put(rec.id(), rec) != null) {
          ref.violation("scan returned an id twice", Text.shorten(rec.id()), null);
        }
      });
    }
    if (!scanned.equals(c.records)) {
      List<String> diff = new ArrayList<>();
      c.records.forEach((id, want) -> {
        VectorRecord got = scanned.get(id);
        if (!want.equals(got)) {
          diff.add(Text.shorten(id) + ": " + Text.describe(got) + ", want " + Text.describe(want));
        }
      });
      scanned.keySet().stream().filter(id -> !c.records.containsKey(id))
          .forEach(id -> diff.add(Text.shorten(id) + ": present, want absent"));
      ref.violation("scan differs from the model", c + ": " + diff.stream().limit(5).toList(), null);
    }
  }

  private void checkStats(Col c) {
    var stats = c.handle.stats();
    if (stats.count() != c.records.size() || !stats.config().equals(c.config) || !stats.name().equals(c.name)) {
      ref.violation("stats() differ from the model", stats + " vs " + c, null);
    }
  }

  private void checkCollectionList() {
    List<String> names = db.listCollections();
    if (!names.equals(new ArrayList<>(model.cols.keySet()))) {
      ref.violation("listCollections differs from the model", names + ", want " + model.cols.keySet(), null);
    }
  }

  /** After a reopen: collections, configs, records, a search per collection, and Lucene's CheckIndex. */
  private void verifyAll(boolean checkIndex) {
    checkCollectionList();
    for (Col c : model.cols.values()) {
      c.handle = db.collection(c.name);
      if (!c.handle.config().equals(c.config)) {
        ref.violation("a collection's config differs after reopening", c.handle.config() + ", want " + c.config, null);
      }
      verifyCollection(c, new ArrayList<>(c.records.keySet()));
      float[] q = in.gaussian(c.config.dimension(), c.config.metric());
      List<Hit> hits = c.handle.search(SearchRequest.of(q, 5).exact(true));
      checkHits(c, q, 5, null, true, false, true, hits);
    }
    if (checkIndex) {
      Map<String, String> problems = db.check();
      if (!problems.isEmpty()) {
        ref.violation("CheckIndex found problems", problems.toString(), null);
      }
    }
  }

  /**
   * Compares search hits with the model's brute force. Exact: the same number of hits ({@code
   * min(k, matching)}), the i-th score equal to the model's i-th, every record scoring clearly above
   * the k-th present. Approximate: matching records with exact scores, best first, at most k.
   */
  private void checkHits(Col c, float[] q, int k, FilterSpec f, boolean exact, boolean vectors, boolean payloads, List<Hit> hits) {
    List<Scored> want = c.ranking(q, f == null ? p -> true : f::matches);
    Map<String, Double> scoreOf = new HashMap<>();
    want.forEach(s -> scoreOf.put(s.id(), s.score()));
    int n = Math.min(k, want.size());
    String context = c + " k=" + k + " filter=" + f;
    if (exact ? hits.size() != n : hits.size() > n) {
      ref.violation((exact ? "exact" : "approximate") + " search returned a wrong number of hits",
          hits.size() + " hits, want " + (exact ? "" : "at most ") + n + "; " + context + "; hits " + ids(hits)
              + ", model " + want.stream().limit(n).toList(), null);
    }
    if (!exact) {
      approximate++;
      shortApproximate += hits.size() < n ? 1 : 0;
    }
    Set<String> seen = new HashSet<>();
    float previous = Float.POSITIVE_INFINITY;
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      Double model = scoreOf.get(h.id());
      if (Float.isNaN(h.score())) {
        ref.violation("search returned a NaN score", "hit " + Text.shorten(h.id()) + "; " + context, null);
      }
      if (model == null || !seen.add(h.id())) {
        ref.violation("search returned a record that is absent, does not match the filter, or twice",
            "hit " + Text.shorten(h.id()) + "; " + context + "; hits " + ids(hits), null);
      }
      if (!ApiModel.sameScore(h.score(), (float) (double) model)) {
        ref.violation("a hit's score differs from the README formula",
            "hit " + Text.shorten(h.id()) + " score " + h.score() + ", formula " + model + " for record vector "
                + Text.describeVector(c.records.get(h.id()).vector()) + " and query " + Text.describeVector(q) + "; " + context, null);
      }
      if (h.score() > previous) {
        ref.violation("hits are not sorted best first", ids(hits) + "; " + context, null);
      }
      previous = h.score();
      if (exact && !ApiModel.sameScore(h.score(), (float) want.get(i).score())) {
        ref.violation("exact search differs from brute force",
            "hit " + i + " " + Text.shorten(h.id()) + " scores " + h.score() + ", brute force's hit " + i + " is "
                + want.get(i) + "; " + context + "; hits " + ids(hits), null);
      }
      VectorRecord rec = c.records.get(h.id());
      if (!h.payload().equals(payloads ? rec.payload() : Payload.empty())) {
        ref.violation("a hit's payload differs from the record's", Text.describePayload(h.payload()) + " vs "
            + Text.describePayload(rec.payload()) + " (payloads requested: " + payloads + ")", null);
      }
      if (vectors ? !Arrays.equals(h.vector(), rec.vector()) : h.vector() != null) {
        ref.violation("a hit's vector differs from the record's", Text.describeVector(h.vector()) + " vs "
            + Text.describeVector(rec.vector()) + " (vectors requested: " + vectors + ")", null);
      }
    }
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(h -> Text.shorten(h.id()) + "=" + h.score()).toList();
  }

  // ------------------------------------------------------------------ calls and failures

  /**
   * Builds a payload as the spec says, checking it against the model's rules.
   *
   * @return the result (a payload, or an exception the rules allow), or null if it threw as required
   */
  private Built buildPayload(PayloadSpec spec) {
    Map<String, Object> normalized = new LinkedHashMap<>();
    Expect e = spec.expect(normalized);
    Result<Payload> built = ref.attempt("Payload construction", e, false, spec::build);
    if (built.threw()) {
      checkTermLimitMessage(spec, e, built.error());
      return null;
    }
    if (e.mustSucceed() && built.value() != null && !built.value().asMap().equals(normalized)) {
      ref.violation("Payload normalized a value wrongly", Text.describePayload(built.value()) + ", want " + Text.describeMap(normalized), null);
    }
    // Construction accepted what the rules refuse (reported by attempt): the write may then fail
    // with an InvalidArgumentException or succeed, but nothing else.
    Expect write = e.mustSucceed() ? Expect.OK
        : Expect.either(InvalidArgumentException.class, "payload accepted against the rules (" + e.reasons() + ")");
    return new Built(built.value(), write);
  }

  /**
   * The refusal of a value over Lucene's term limit must name the field, the value's length in UTF-8
   * bytes and the limit (checked when that is the only thing wrong with the payload).
   */
  private void checkTermLimitMessage(PayloadSpec spec, Expect e, Throwable error) {
    if (e.why().size() != 1 || !e.why().get(0).contains("over the term limit")) {
      return;
    }
    for (Object[] kv : spec.entries()) {
      List<?> values = kv[1] instanceof List<?> l ? l : Arrays.asList(kv[1]);
      for (Object v : values) {
        if (v instanceof String str && ApiModel.utf8Length(str) > ApiModel.MAX_TERM_BYTES) {
          String m = String.valueOf(error.getMessage());
          String bytes = Integer.toString(ApiModel.utf8Length(str));
          if (!m.contains((String) kv[0]) || !m.contains(bytes) || !m.contains(Integer.toString(ApiModel.MAX_TERM_BYTES))) {
            ref.note("the refusal of a value over the term limit does not name the field, its UTF-8 length and the limit",
                "field " + Text.shorten((String) kv[0]) + ", " + bytes + " bytes; message: " + Text.describe(error), null);
          }
          return;
        }
      }
    }
  }

  /**
   * A payload built for a write.
   *
   * @param payload the payload (null for none)
   * @param write what the write must do because of it
   */
  private record Built(Payload payload, Expect write) {}

  // ------------------------------------------------------------------ databases

  private Iqdb openDatabase() {
    Iqdb.Builder b = Iqdb.builder().path(dir).durability(in.databaseDurability());
    if (r.nextInt(3) == 0) {
      b.ramBufferMb(0.5); // small segments: more flushes and merges
    }
    return b.open();
  }

  private void startFresh() {
    dir = root.resolve("db" + generation);
    model = new ApiModel();
    stale.clear();
    db = openDatabase();
  }

  /**
   * Keep-going mode, after a disagreement: closes the database, checks that it still opens (a
   * database that no longer opens is the worst failure there is), and starts over on a fresh one.
   */
  private void restart() {
    try {
      db.close();
    } catch (RuntimeException | AssertionError e) {
      ref.note("close failed after: " + ref.lastSignature(), Referee.describe(e), null);
    }
    try (Iqdb again = Iqdb.builder().path(dir).open()) {
      again.listCollections();
    } catch (RuntimeException | AssertionError e) {
      ref.note("database does not reopen: " + e.getClass().getSimpleName() + ": " + Referee.gist(e.getMessage()),
          Referee.describe(e) + " (after: " + ref.lastSignature() + ", at: " + ref.current() + ")", null);
    }
    generation++;
    startFresh();
  }

  private void closeQuietly() {
    try {
      if (db != null) {
        db.close();
      }
    } catch (RuntimeException | AssertionError e) {
      // the test has already failed; this close only stops the database's threads
    }
  }

  private void addStale(VectorCollection h) {
    stale.add(h);
    if (stale.size() > 8) {
      stale.remove(0);
    }
  }

  /**
   * The opposite of another vector of the batch: a segment whose normalized vectors sum to zero has
   * no centroid direction, which quantized COSINE indices must survive.
   */
  private float[] antipodeOf(float[] v, Col c) {
    if (v == null || v.length != c.config.dimension()) {
      return in.vector(c);
    }
    float[] o = v.clone();
    for (int d = 0; d < o.length; d++) {
      o[d] = -o[d];
    }
    return o;
  }

  private static List<String> idIfValid(String id) {
    return ApiModel.checkId(id).mustSucceed() ? List.of(id) : List.of();
  }

  private <T> T pick(List<T> list) {
    return list.get(r.nextInt(list.size()));
  }
}
