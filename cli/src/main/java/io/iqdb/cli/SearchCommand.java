package io.iqdb.cli;

import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.SearchExplanation;
import io.iqdb.SearchRequest;
import io.iqdb.SearchResult;
import io.iqdb.VectorCollection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iqdb search DB COLL (VECTOR | --file FILE | --id ID)}: nearest neighbours. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Find the k nearest neighbours of a query: a vector literal, a vector read from a file, or a stored record.",
      "Examples:",
      "  iqdb search my.iqdb docs '[0.1, 0.2, 0.3]' -k 5",
      "  iqdb search my.iqdb fashion --id 42 -k 3 --filter 'label = 3'",
      "  iqdb search my.iqdb fashion --file queries.fvecs --row 7 --json",
      "Filter syntax (see cli/README.md): comparisons = != < <= > >=, 'in (a, b)', 'between x and y',"
          + " 'exists(f)', combined with and, or, not and parentheses;"
          + " strings in quotes or bare, integers for long fields, decimals for double fields."
    })
final class SearchCommand extends CollectionCommand {

  @Parameters(index = "2", arity = "0..1", paramLabel = "VECTOR", description = "The query vector, e.g. '[0.1, 0.2]' or 0.1,0.2.")
  String vector;

  @Option(names = "--file", paramLabel = "FILE", description = "Read the query from a file (any import format).")
  Path file;

  @Option(names = "--row", paramLabel = "N", description = "With --file: which vector, counting from 0 (default 0).")
  int row;

  @Option(names = "--id", paramLabel = "ID", description = "Use the vector of this stored record as the query.")
  String id;

  @Option(names = "-k", paramLabel = "K", description = "Number of hits (default 10).")
  int k = 10;

  @Option(names = "--filter", paramLabel = "EXPR", description = "Payload filter, e.g. \"label = 3 and year >= 2020 and tag in (a, b) and not exists(x)\".")
  String filter;

  @Option(names = "--exact", description = "Exact (brute-force) search whatever the index.")
  boolean exact;

  @Option(names = "--ef", paramLabel = "N", description = "HNSW: candidate list size (default max(k, 100)).")
  int ef;

  @Option(names = "--probes", paramLabel = "N", description = "IVF: lists to probe (default: the index's).")
  int probes;

  @Option(names = "--oversample", paramLabel = "F", description = "Quantized indices: rescore k*F candidates (default: the index's).")
  float oversample;

  @Option(names = "--with-vectors", description = "Include each hit's vector.")
  boolean withVectors;

  @Option(names = "--json", description = "Print a JSON array of hits instead of a table"
      + " (with --explain: an object with \"hits\" and \"explanation\").")
  boolean json;

  @Option(names = "--explain", description = "Also print what the search did per segment: plan (exact, HNSW,"
      + " IVF), ef or probes and why, vectors scored, candidates rescored, time.")
  boolean explain;

  @Override
  int run() {
    int sources = (vector != null ? 1 : 0) + (file != null ? 1 : 0) + (id != null ? 1 : 0);
    if (sources != 1) {
      throw new CliException(ExitCode.USAGE, "give the query as exactly one of VECTOR, --file FILE or --id ID");
    }
    if (k < 1 || k > SearchRequest.MAX_K) {
      throw new CliException(ExitCode.USAGE, "-k must be in [1, " + SearchRequest.MAX_K + "]; got " + k);
    }
    if (ef < 0 || probes < 0 || (oversample != 0 && !(oversample >= 1 && oversample <= 100))) {
      throw new CliException(ExitCode.USAGE, "--ef and --probes must be >= 0, and --oversample 0 or in [1, 100]");
    }
    Filter f = filter == null ? null : FilterParser.parse(filter);
    try (Iqdb iqdb = openExisting()) {
      VectorCollection c = collection(iqdb, name);
      float[] query = query(c);
      SearchRequest request = SearchRequest.of(query, k).exact(exact).ef(ef).probes(probes)
          .oversample(oversample).includeVectors(withVectors).explain(explain);
      if (f != null) {
        request = request.filter(f);
      }
      long start = System.nanoTime();
      SearchResult result = c.searchResult(request);
      List<Hit> hits = result.hits();
      double ms = (System.nanoTime() - start) / 1e6;
      if (json) {
        List<Object> array = new ArrayList<>();
        for (Hit h : hits) {
          var o = JsonText.object("id", h.id(), "score", h.score(), "payload", h.payload().asMap());
          if (withVectors) {
            o.put("vector", h.vector());
          }
          array.add(o);
        }
        out().println(JsonText.write(
            explain ? JsonText.object("hits", array, "explanation", explanationJson(result.explanation())) : array));
      } else {
        // Under L2 a score is 1 / (1 + d^2); the distance d is what people read.
        boolean l2 = c.config().metric() == Metric.L2;
        List<String> header = new ArrayList<>(List.of("rank", "id", "score"));
        if (l2) {
          header.add("distance");
        }
        header.add("payload");
        if (withVectors) {
          header.add("vector");
        }
        Table t = new Table(header.toArray(new String[0]));
        int rank = 1;
        for (Hit h : hits) {
          List<Object> row = new ArrayList<>(List.of(rank++, h.id(), score(h.score())));
          if (l2) {
            row.add(String.format(Locale.ROOT, "%.4g", Math.sqrt(Math.max(0, 1 / (double) h.score() - 1))));
          }
          row.add(JsonText.write(h.payload().asMap()));
          if (withVectors) {
            row.add(Vectors.format(h.vector(), 8));
          }
          t.row(row.toArray());
        }
        t.print(out());
        out().println(String.format(Locale.ROOT, "%d hit%s in %.2f ms (a cold query: the first of this process)",
            hits.size(), hits.size() == 1 ? "" : "s", ms));
        if (explain) {
          out().print(result.explanation().format());
        }
      }
    }
    return ExitCode.OK;
  }

  private static Object explanationJson(SearchExplanation e) {
    List<Object> segments = new ArrayList<>();
    for (SearchExplanation.Segment s : e.segments()) {
      segments.add(JsonText.object(
          "segment", s.segment(), "vectors", s.vectors(), "filterMatches", s.filterMatches(),
          "plan", s.plan().name(), "reason", s.reason(), "ef", s.ef(), "probes", s.probes(),
          "knobSource", s.knobSource().name(), "vectorsScored", s.vectorsScored(),
          "candidatesRescored", s.candidatesRescored(), "nanos", s.nanos()));
    }
    return JsonText.object("segments", segments, "tailRecords", e.tailRecords(), "nanos", e.nanos());
  }

  /** Six decimals, or scientific notation for the tiny scores of L2 over large distances. */
  static String score(float s) {
    return s != 0 && Math.abs(s) < 1e-3 ? String.format(Locale.ROOT, "%.4e", s) : String.format(Locale.ROOT, "%.6f", s);
  }

  private float[] query(VectorCollection c) {
    if (vector != null) {
      return Vectors.parse(vector);
    }
    if (id != null) {
      return c.get(id)
          .orElseThrow(() -> CliException.notFound("no record '" + id + "' in collection '" + name + "'"))
          .vector();
    }
    if (row < 0) {
      throw CliException.badInput("--row " + row + " is out of range: rows count from 0");
    }
    // stream up to the row wanted: the file may be larger than memory
    InputRecord[] found = {null};
    long[] seen = {0};
    RecordReaders.read(file, RecordReaders.detect(file), 0, null, c.config().dimension(), r -> {
      if (seen[0]++ == row) {
        found[0] = r;
        return false;
      }
      return true;
    });
    if (found[0] == null) {
      throw CliException.badInput("--row " + row + " is out of range: " + file + " holds " + seen[0] + " vectors");
    }
    return found[0].vector();
  }
}
