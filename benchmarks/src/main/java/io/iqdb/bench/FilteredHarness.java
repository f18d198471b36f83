package io.iqdb.bench;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Filter;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Payload;
import io.iqdb.Quantization;
import io.iqdb.SearchExplanation;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.Datasets;
import io.iqdb.bench.data.RealTextDataset;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * The filtered mode of the ANN comparison: recall@10 and single-thread QPS of filtered searches
 * across selectivities (50% down to 0.01%) and three kinds of filter, for iQDB's default (the
 * planner), iQDB forced exact ({@code exact(true)}), iQDB forced to its index ({@code
 * forceIndex(true)}) and raw Lucene HNSW with the same filter as a Lucene query, at k = 100 and at
 * k from 10 to 800 (the report compares iQDB's default with the fastest of these that reaches at
 * least its recall).
 *
 * <p>Every record gets two long payload fields: {@code r}, uniform in [0, 1,000,000) (random
 * filters), and {@code p}, the rank of the record's projection on a fixed random direction scaled
 * to [0, 1,000,000). A filter is a range of one of them holding the selectivity's share of records:
 * on {@code r} (random); on {@code p} centred on the query's own projection rank (correlated: the
 * query's neighbours project close to it); or on {@code p} at the far end (anti-correlated).
 *
 * <p>The parent process builds the indexes (raw Lucene's, then iQDB's per index kind, each
 * compacted to one segment) and closes them; each system then runs in a JVM of its own, started
 * with the parent's JVM flags: iQDB (its default, exact and index plans, as an application would
 * run them) in one, raw Lucene at every k in another, so that neither runs with code the JIT
 * compiled for the other. In each JVM an untimed warm-up runs every cell with every plan (at least
 * {@value #WARMUP_SECONDS} s), then {@value #TIMED_PASSES} timed passes go over the cells. Ground
 * truth is iQDB's exact search (the oracle the core tests check against brute force), run untimed
 * in each JVM; a hit counts when its score is at least the k-th exact score (tie-aware). Each cell
 * runs every query {@value #ROUNDS} times in a row per plan, the plans interleaved query by query
 * in an order that rotates from one query to the next and is reversed every other cycle, so that
 * each plan follows each other plan about as often (a plan run right after an exact scan pays for
 * the caches that scan emptied: under rotation alone iQDB's default followed exact search in 2 of
 * 3 queries and the forced index in 1 of 3, and ran 10-20% slower than the same plan forced,
 * 2026-12-07); the first run is untimed (recall, explanation, caches) and
 * each (plan, query) keeps the fastest of the others over both passes: the machines are shared,
 * and a query that another process preempted says nothing about the plan. QPS is queries divided
 * by the sum of those fastest times, one thread.
 *
 * <p>Usage: {@code FilteredHarness [--dataset fashion-mnist|real-text|synthetic] [--queries 200]
 * [--index hnsw,ivf] [--kinds random,correlated,anti] [--embedding-cache DIR] [--texts N] [--n 1000000 --dim 128] [--selectivities
 * 0.1,0.01,0.001] [--out DIR]}: {@code synthetic} is {@code Datasets.synthetic} (clustered, L2) of
 * {@code n} vectors; the selectivities default to 100% down to 0.01%.
 */
public final class FilteredHarness {
  private static final int K = 10;
  private static final int EF = 100;
  private static final long SCALE = 1_000_000;
  private static final double[] SELECTIVITIES = {1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.001, 0.0001};
  private static final String[] KINDS = {"random", "correlated", "anti"};
  /** Rounds per cell; each query keeps its fastest, which filters out time stolen by other processes. */
  private static final int ROUNDS = 3;
  /** Least seconds of untimed warm-up per JVM (at least one pass over every cell). */
  private static final int WARMUP_SECONDS = 20;
  /** Timed passes over the cells; each (plan, query) keeps its fastest run of all of them. */
  private static final int TIMED_PASSES = 2;
  /**
   * The plans timed per cell: {@code lucene} is raw Lucene at k = {@value #EF} (the beam iQDB
   * searched with by default before target recall), {@code lucene-kN} the same query at k = N, so
   * that the report can compare iQDB's default with raw Lucene at no less recall.
   */
  private static final String[] PLANS = {
    "exact", "default", "index", "lucene", "lucene-k10", "lucene-k20", "lucene-k50", "lucene-k200", "lucene-k400",
    "lucene-k800"
  };

  /**
   * The plans each child JVM runs: one system each, iQDB's three plans in one JVM as an application
   * would run them, raw Lucene at every k in another.
   */
  private static final String[][] PLAN_GROUPS = {
    Arrays.copyOfRange(PLANS, 0, 3), Arrays.copyOfRange(PLANS, 3, PLANS.length)
  };

  private FilteredHarness() {}

  /**
   * Runs the comparison.
   *
   * @param args see the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String name = o.getOrDefault("dataset", "fashion-mnist");
    int queries = Integer.parseInt(o.getOrDefault("queries", "200"));
    Dataset data = switch (name) {
      case "fashion-mnist" -> Datasets.fashionMnist().withQueries(queries);
      case "real-text" -> RealTextDataset.load(Integer.parseInt(o.getOrDefault("texts", "60000")), queries, 42L, false,
          Path.of(o.getOrDefault("embedding-cache", "benchmarks/target/corpus-cache"))).dataset();
      case "synthetic" -> Datasets.synthetic(
          Integer.parseInt(o.getOrDefault("n", "1000000")), Integer.parseInt(o.getOrDefault("dim", "128")), queries, 42L);
      default -> throw new IllegalArgumentException("unknown dataset " + name);
    };
    double[] selectivities = o.containsKey("selectivities")
        ? java.util.Arrays.stream(o.get("selectivities").split(",")).mapToDouble(Double::parseDouble).toArray()
        : SELECTIVITIES;
    String[] kinds = o.getOrDefault("kinds", String.join(",", KINDS)).split(",");
    for (String kind : kinds) {
      if (!List.of(KINDS).contains(kind)) {
        throw new IllegalArgumentException("unknown filter kind " + kind + "; expected one of " + List.of(KINDS));
      }
    }
    long[] r = new long[data.train().length];
    long[] p = projectionRanks(data.train(), r);
    if (o.containsKey("child-plans")) {
      // a child: one group of plans over the indexes its parent built
      Path work = Path.of(o.get("work"));
      String index = o.get("child-index");
      List<String> rows = new ArrayList<>();
      try (FSDirectory dir = FSDirectory.open(work.resolve("lucene"));
          DirectoryReader reader = DirectoryReader.open(dir);
          Iqdb db = Iqdb.builder().path(work.resolve("iqdb-" + index)).durability(Durability.none())
              .verifyChecksumsInBackground(false).open()) {
        measure(data, index, r, p, db.collection("bench"), new IndexSearcher(reader), rows, selectivities, kinds,
            o.get("child-plans").split(","));
      }
      Files.write(Path.of(o.get("child-rows")), rows);
      return;
    }
    Path out = Path.of(o.getOrDefault("out", "benchmarks/results/filtered/" + name));
    Path work = Files.createTempDirectory("iqdb-filtered");
    Files.createDirectories(out);
    List<String> rows = new ArrayList<>();
    rows.add("index,kind,selectivity,matches,plan,recall,qps,min_hits_ratio,exact_segments,index_segments,scored_per_query");
    long started = System.currentTimeMillis();
    try {
      try (FSDirectory dir = FSDirectory.open(work.resolve("lucene"))) {
        luceneIndex(dir, data, r, p);
      }
      for (String index : o.getOrDefault("index", "hnsw,ivf").split(",")) {
        build(data, index, r, p, work);
        for (String[] group : PLAN_GROUPS) {
          rows.addAll(child(args, work, index, group));
        }
      }
    } finally {
      IOUtils.rm(work);
    }
    Files.write(out.resolve("results.csv"), rows);
    FilteredReport.write(out, name, data, queries, rows, (System.currentTimeMillis() - started) / 1000);
    System.out.println(String.join("\n", rows));
  }

  /** Uniform random values into {@code r}; returns the projection ranks. */
  private static long[] projectionRanks(float[][] train, long[] r) {
    SplittableRandom random = new SplittableRandom(42);
    int dim = train[0].length;
    float[] direction = new float[dim];
    for (int d = 0; d < dim; d++) {
      direction[d] = (float) random.nextDouble(-1, 1);
    }
    Integer[] order = new Integer[train.length];
    double[] proj = new double[train.length];
    for (int i = 0; i < train.length; i++) {
      r[i] = random.nextLong(SCALE);
      order[i] = i;
      for (int d = 0; d < dim; d++) {
        proj[i] += train[i][d] * direction[d];
      }
    }
    Arrays.sort(order, (a, b) -> Double.compare(proj[a], proj[b]));
    long[] p = new long[train.length];
    for (int rank = 0; rank < order.length; rank++) {
      p[order[rank]] = rank * SCALE / train.length;
    }
    PROJECTION = direction;
    PROJECTED = proj;
    ORDER = order;
    return p;
  }

  private static float[] PROJECTION;
  private static double[] PROJECTED;
  private static Integer[] ORDER;

  /** The projection rank a query would have among the records. */
  private static long queryRank(float[] q) {
    double v = 0;
    for (int d = 0; d < q.length; d++) {
      v += q[d] * PROJECTION[d];
    }
    int lo = 0;
    int hi = ORDER.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (PROJECTED[ORDER[mid]] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo * SCALE / ORDER.length;
  }

  /** The filter's field and inclusive bounds for one query. */
  private record Range(String field, long lo, long hi) {}

  private static Range range(String kind, double s, float[] q) {
    long width = Math.max(1, Math.round(s * SCALE));
    return switch (kind) {
      case "random" -> new Range("r", 0, width - 1);
      case "correlated" -> {
        long lo = Math.max(0, Math.min(SCALE - width, queryRank(q) - width / 2));
        yield new Range("p", lo, lo + width - 1);
      }
      default -> queryRank(q) < SCALE / 2 ? new Range("p", SCALE - width, SCALE - 1) : new Range("p", 0, width - 1);
    };
  }

  /** Builds iQDB's collection of one index kind under {@code work}, compacted to one segment. */
  private static void build(Dataset data, String index, long[] r, long[] p, Path work) throws IOException {
    IndexSpec spec = index.equals("hnsw") ? IndexSpec.hnsw() : IndexSpec.ivf().withQuantization(Quantization.NONE);
    float[][] train = data.train();
    try (Iqdb db = Iqdb.builder().path(work.resolve("iqdb-" + index)).durability(Durability.none()).ramBufferMb(1000).open()) {
      VectorCollection c = db.createCollection("bench",
          CollectionConfig.builder(data.dimension(), data.metric()).index(spec).build());
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < train.length; i++) {
        batch.add(VectorRecord.of(Integer.toString(i), train[i], Payload.of("r", r[i], "p", p[i])));
        if (batch.size() == 1000 || i == train.length - 1) {
          c.upsertAll(batch);
          batch.clear();
        }
      }
      c.flush();
      c.compact(1);
    }
  }

  /**
   * Runs one group of plans in a JVM of its own (this class, with this JVM's flags and class path
   * and the parent's arguments), over the indexes under {@code work}; returns its CSV rows.
   */
  private static List<String> child(String[] args, Path work, String index, String[] plans)
      throws IOException, InterruptedException {
    Path rows = work.resolve("rows-" + index + "-" + plans[0] + ".csv");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FilteredHarness.class.getName()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--work", work.toString(), "--child-index", index, "--child-plans", String.join(",", plans),
        "--child-rows", rows.toString()));
    Process process = new ProcessBuilder(cmd).inheritIO().start();
    if (process.waitFor() != 0) {
      throw new IOException("the child running " + String.join(",", plans) + " on " + index + " failed: exit "
          + process.exitValue());
    }
    return Files.readAllLines(rows);
  }

  /** Times {@code plans} on every cell (kind x selectivity) into {@code rows}. */
  private static void measure(
      Dataset data, String index, long[] r, long[] p, VectorCollection c, IndexSearcher lucene, List<String> rows,
      double[] selectivities, String[] kinds, String[] plans)
      throws IOException {
    int nq = data.queries().length;
    List<Cell> cells = new ArrayList<>();
    for (String kind : kinds) {
      for (double s : selectivities) {
        cells.add(new Cell(kind, s, plans.length, nq));
      }
    }
    // Warm-up, untimed: every cell with every plan, for at least WARMUP_SECONDS, so that no cell is
    // measured while the JIT still compiles, or with code compiled before it saw that cell's path
    long warmupEnd = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
    for (int pass = 0; pass < 1 || System.nanoTime() < warmupEnd; pass++) {
      for (Cell cell : cells) {
        for (String plan : plans) {
          for (float[] q : data.queries()) {
            search(plan, q, range(cell.kind, cell.s, q), c, lucene, null);
          }
        }
      }
    }
    // Then TIMED_PASSES passes over the cells; each (plan, query) keeps its fastest run of all of
    // them, so that a cell that met a slow phase of the JVM (a recompilation, a collection) in one
    // pass is measured again later
    for (int pass = 0; pass < TIMED_PASSES; pass++) {
      for (Cell cell : cells) {
        timeCell(data, c, lucene, plans, cell, pass == 0);
      }
    }
    for (Cell cell : cells) {
      long matches = 0;
      for (int q = 0; q < nq; q++) {
        Range rg = range(cell.kind, cell.s, data.queries()[q]);
        long[] field = rg.field().equals("r") ? r : p;
        for (long v : field) {
          matches += v >= rg.lo() && v <= rg.hi() ? 1 : 0;
        }
      }
      for (int pi = 0; pi < plans.length; pi++) {
        double qps = nq / (Arrays.stream(cell.fastest[pi]).sum() / 1e9);
        String row = String.format(Locale.ROOT, "%s,%s,%s,%d,%s,%.4f,%.1f,%.3f,%d,%d,%.0f", index, cell.kind, cell.s,
            matches / nq, plans[pi], cell.recall[pi] / nq, qps, cell.minHits[pi], cell.exactSegs[pi],
            cell.indexSegs[pi], cell.scored[pi] / (double) nq);
        System.out.println(row);
        rows.add(row);
      }
    }
  }

  /** One kind of filter at one selectivity: what the timed passes found per plan. */
  private static final class Cell {
    final String kind;
    final double s;
    final long[][] fastest;
    final double[] recall;
    final double[] minHits;
    final long[] exactSegs;
    final long[] indexSegs;
    final long[] scored;

    Cell(String kind, double s, int plans, int queries) {
      this.kind = kind;
      this.s = s;
      fastest = new long[plans][queries];
      for (long[] f : fastest) {
        Arrays.fill(f, Long.MAX_VALUE);
      }
      recall = new double[plans];
      minHits = new double[plans];
      Arrays.fill(minHits, 1);
      exactSegs = new long[plans];
      indexSegs = new long[plans];
      scored = new long[plans];
    }
  }

  /**
   * Runs every query of a cell {@value #ROUNDS} times in a row per plan (the plans interleaved
   * query by query, in an order that rotates from one query to the next and reverses every other
   * cycle), keeping each (plan,
   * query)'s fastest timed run. The first run of each is untimed; in the first pass it also gives
   * recall, hits and the explanation, against ground truth from an untimed exact search.
   */
  private static void timeCell(
      Dataset data, VectorCollection c, IndexSearcher lucene, String[] plans, Cell cell, boolean first)
      throws IOException {
    for (int q = 0; q < data.queries().length; q++) {
      float[] query = data.queries()[q];
      Range rg = range(cell.kind, cell.s, query);
      float[] truth = first ? search("exact", query, rg, c, lucene, null) : null;
      for (int step = 0; step < plans.length; step++) {
        int rotated = (q + step) % plans.length;
        int pi = (q / plans.length) % 2 == 0 ? rotated : plans.length - 1 - rotated;
        for (int round = 0; round < ROUNDS; round++) {
          SearchExplanation[] explained = new SearchExplanation[1];
          long start = System.nanoTime();
          float[] scores = search(plans[pi], query, rg, c, lucene, round == 0 && first ? explained : null);
          if (round > 0) {
            cell.fastest[pi][q] = Math.min(cell.fastest[pi][q], System.nanoTime() - start);
            continue;
          }
          if (!first) {
            continue;
          }
          if (explained[0] != null) {
            for (SearchExplanation.Segment seg : explained[0].segments()) {
              if (seg.plan() == SearchExplanation.Plan.EXACT) {
                cell.exactSegs[pi]++;
              } else {
                cell.indexSegs[pi]++;
              }
              cell.scored[pi] += seg.vectorsScored();
            }
          }
          float kth = truth.length == 0 ? Float.NEGATIVE_INFINITY : truth[truth.length - 1];
          int good = 0;
          for (float f : scores) {
            good += f >= kth - 1e-6f * Math.abs(kth) ? 1 : 0;
          }
          cell.recall[pi] += truth.length == 0 ? 1 : Math.min(good, truth.length) / (double) truth.length;
          cell.minHits[pi] = Math.min(cell.minHits[pi], truth.length == 0 ? 1 : scores.length / (double) truth.length);
        }
      }
    }
  }

  /**
   * One search with a plan; the scores of the hits, best first. With {@code explained}, iQDB's
   * explanation is asked for and stored in its first slot.
   */
  private static float[] search(
      String plan, float[] query, Range rg, VectorCollection c, IndexSearcher lucene, SearchExplanation[] explained)
      throws IOException {
    if (plan.startsWith("lucene")) {
      int k = plan.equals("lucene") ? EF : Integer.parseInt(plan.substring("lucene-k".length()));
      ScoreDoc[] docs = lucene.search(new KnnFloatVectorQuery("v", query, k,
          LongPoint.newRangeQuery(rg.field(), rg.lo(), rg.hi())), K).scoreDocs;
      float[] scores = new float[docs.length];
      for (int i = 0; i < docs.length; i++) {
        scores[i] = docs[i].score;
      }
      return scores;
    }
    SearchRequest req = SearchRequest.of(query, K).includePayload(false)
        .filter(Filter.range(rg.field(), rg.lo(), rg.hi()))
        .exact(plan.equals("exact")).forceIndex(plan.equals("index")).explain(explained != null);
    var result = c.searchResult(req);
    if (explained != null) {
      explained[0] = result.explanation();
    }
    float[] scores = new float[result.hits().size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = result.hits().get(i).score();
    }
    return scores;
  }

  /** Raw Lucene HNSW (M=16, beam 100, as iQDB's default) over the same vectors and fields, one segment. */
  private static void luceneIndex(FSDirectory dir, Dataset data, long[] r, long[] p) throws IOException {
    KnnVectorsFormat format = new Lucene99HnswVectorsFormat(16, 100);
    IndexWriterConfig config = new IndexWriterConfig().setRAMBufferSizeMB(1000).setCodec(new Lucene104Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return format;
      }
    });
    VectorSimilarityFunction sim = switch (data.metric()) {
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      case COSINE -> VectorSimilarityFunction.COSINE;
      case DOT -> VectorSimilarityFunction.DOT_PRODUCT;
      case MAX_INNER_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    };
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int i = 0; i < data.train().length; i++) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("v", data.train()[i], sim));
        doc.add(new LongPoint("r", r[i]));
        doc.add(new LongPoint("p", p[i]));
        w.addDocument(doc);
      }
      w.forceMerge(1);
    }
  }
}
