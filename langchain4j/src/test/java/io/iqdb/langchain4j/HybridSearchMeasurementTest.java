package io.iqdb.langchain4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures vector-only, BM25-only and hybrid search on a small real-text set: the paragraphs of the
 * Debian copyright files under {@code /usr/share/doc}, embedded with all-MiniLM-L6-v2. Run with
 * {@code -Diqdb.measure=true}; not a unit test (it takes minutes and asserts only that it ran).
 *
 * <p>Corpus: every paragraph (blank-line separated) of every {@code copyright} file with at least
 * three lines (a line of only "." does not count) and 150..4,000 characters, deduplicated by its
 * whitespace-normalized lower-case text. Queries: the first line of each paragraph whose first line
 * occurs in no other paragraph; the one relevant document is that paragraph. Two variants: the
 * paragraph whole (the query is a line of its document: a known-item search, which favours BM25 by
 * construction), and the paragraph without its first line (the query must be related to the rest
 * of the paragraph, e.g. "License: Apache-2.0" and the licence text, or "Files: src/gzip/*" and its
 * copyright holders). Vector search is exact (flat index), so the comparison measures the rankings,
 * not the approximate index.
 */
@EnabledIfSystemProperty(named = "iqdb.measure", matches = "true")
class HybridSearchMeasurementTest {

  private record Paragraph(String title, String text) {}

  private static List<Paragraph> corpus() throws IOException {
    List<Paragraph> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<Path> files;
    try (Stream<Path> dirs = Files.list(Path.of("/usr/share/doc"))) {
      files = dirs.map(d -> d.resolve("copyright")).filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String content;
      try {
        content = Files.readString(f);
      } catch (CharacterCodingException notUtf8) {
        continue;
      }
      for (String block : content.split("\n\\s*\n")) {
        List<String> lines = block.strip().lines().filter(l -> !l.isBlank() && !l.strip().equals(".")).toList();
        String text = String.join("\n", lines);
        if (lines.size() < 3 || text.length() < 150 || text.length() > 4000) {
          continue;
        }
        if (seen.add(normalize(text))) {
          out.add(new Paragraph(lines.get(0), text));
        }
      }
    }
    return out;
  }

  private static String normalize(String s) {
    return String.join(" ", s.strip().split("\\s+")).toLowerCase(Locale.ROOT);
  }

  @Test
  void measure() throws IOException {
    List<Paragraph> corpus = corpus();
    Map<String, Integer> titleCount = new HashMap<>();
    corpus.forEach(p -> titleCount.merge(normalize(p.title()), 1, Integer::sum));
    EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "corpus: %d paragraphs%n", corpus.size()));
    for (boolean withTitle : new boolean[] {true, false}) {
      Function<Paragraph, String> docText =
          p -> withTitle ? p.text() : p.text().substring(p.text().indexOf('\n') + 1);
      long t0 = System.nanoTime();
      try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(model.dimension())
          .index(IndexSpec.flat()).build()) {
        List<String> ids = new ArrayList<>();
        List<Embedding> embeddings = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
          ids.add("p" + i);
          segments.add(TextSegment.from(docText.apply(corpus.get(i))));
        }
        for (int from = 0; from < segments.size(); from += 256) {
          embeddings.addAll(model.embedAll(segments.subList(from, Math.min(segments.size(), from + 256))).content());
        }
        store.addAll(ids, embeddings, segments);
        double embedSeconds = (System.nanoTime() - t0) / 1e9;
        VectorCollection c = store.collection();

        List<Integer> queries = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
          if (titleCount.get(normalize(corpus.get(i).title())) == 1) {
            queries.add(i);
          }
        }
        List<TextSegment> queryTexts = queries.stream().map(i -> TextSegment.from(corpus.get(i).title())).toList();
        List<Embedding> queryVectors = new ArrayList<>();
        for (int from = 0; from < queryTexts.size(); from += 256) {
          queryVectors.addAll(model.embedAll(queryTexts.subList(from, Math.min(queryTexts.size(), from + 256))).content());
        }
        String[] names = {"vector only", "BM25 only", "hybrid (RRF, k=60, depth 100)"};
        double[] recall = new double[3];
        double[] ndcg = new double[3];
        double[] mrr = new double[3];
        for (int q = 0; q < queries.size(); q++) {
          String relevant = "p" + queries.get(q);
          String title = corpus.get(queries.get(q)).title();
          float[] v = queryVectors.get(q).vector();
          List<List<Hit>> results = List.of(
              c.search(SearchRequest.of(v, 10).includePayload(false)),
              c.search(SearchRequest.ofText(title, 10).includePayload(false)),
              c.search(SearchRequest.of(v, 10).text(title).includePayload(false)));
          for (int m = 0; m < 3; m++) {
            List<String> ranked = results.get(m).stream().map(Hit::id).toList();
            int rank = ranked.indexOf(relevant) + 1;
            if (rank > 0) {
              recall[m]++;
              ndcg[m] += 1 / (Math.log(rank + 1) / Math.log(2)); // one relevant document: IDCG = 1
              mrr[m] += 1.0 / rank;
            }
          }
        }
        report.append(String.format(Locale.ROOT,
            "%nvariant: %s; %d documents, %d queries (unique first lines); embedding + indexing %.0f s%n",
            withTitle ? "document = whole paragraph (query line included)" : "document = paragraph without its first line",
            corpus.size(), queries.size(), embedSeconds));
        report.append("| method | recall@10 | nDCG@10 | MRR@10 |\n|---|---|---|---|\n");
        for (int m = 0; m < 3; m++) {
          report.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n",
              names[m], recall[m] / queries.size(), ndcg[m] / queries.size(), mrr[m] / queries.size()));
        }
        assertTrue(queries.size() > 100, "too few queries: " + queries.size());
      }
    }
    System.out.println(report);
    Files.writeString(Path.of("target", "hybrid-search-measurement.md"), report);
  }
}
