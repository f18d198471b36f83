// Bytes allocated per search, measured with the thread's allocation counter after 20,000 warm-up
// searches: a check of JMH's -prof gc that does not depend on the JIT finishing within JMH's
// warm-up (on the shared 2-core VM under load it did not: see quantized.md). Not part of the build:
//   java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
//     benchmarks/results/jmh/AllocProbe.java hnsw-int8 784 100 iqdb,topk
// arguments: index kind (as SearchBenchmark's), dimension, candidates of the raw query, probes
// (iqdb: iQDB search with ef=100 on HNSW; iqdbnoef: without; topk / topcand: raw Lucene
// KnnFloatVectorQuery(candidates) collecting k=10 / all; knnrewrite, fvv, rescorer, scorer: parts).
import io.iqdb.*;
import io.iqdb.bench.jmh.BenchIndexes;
import io.iqdb.bench.data.Dataset;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.*;
import org.apache.lucene.index.*;
import org.apache.lucene.search.*;
import org.apache.lucene.store.FSDirectory;

public class AllocProbe {
  static com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  interface Op { Object run(float[] q) throws Exception; }
  static Object sink;
  static void measure(String name, float[][] qs, Op op) throws Exception {
    for (int i = 0; i < 20000; i++) sink = op.run(qs[i % qs.length]);
    long t = Thread.currentThread().threadId();
    int n = 2000;
    long b0 = mx.getThreadAllocatedBytes(t); long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) sink = op.run(qs[i % qs.length]);
    long b1 = mx.getThreadAllocatedBytes(t); long t1 = System.nanoTime();
    System.out.printf("%-40s %10.0f B/op %8.1f us/op%n", name, (b1 - b0) / (double) n, (t1 - t0) / 1e3 / n);
  }
  public static void main(String[] a) throws Exception {
    String kind = a[0]; int dim = Integer.parseInt(a[1]); int k = 10;
    Dataset data = BenchIndexes.data(20000, dim);
    float[][] qs = data.queries();
    try (Iqdb db = BenchIndexes.open(kind, data)) {
      VectorCollection c = db.collection(BenchIndexes.COLLECTION);
      DirectoryReader reader = DirectoryReader.open(FSDirectory.open(BenchIndexes.luceneIndexDir(db.path().orElseThrow())));
      IndexSearcher s = new IndexSearcher(reader);
      String field = BenchIndexes.vectorField(reader);
      int cand = Integer.parseInt(a[2]);
      LeafReaderContext leaf = reader.leaves().get(0);
      System.out.println(kind + " leaves=" + reader.leaves().size());
      for (String what : a.length > 3 ? a[3].split(",") : new String[]{"iqdb","topk","knnrewrite","fvv","rescorer"}) {
        switch (what) {
          case "iqdb" -> measure("iqdb search", qs, q -> c.search(SearchRequest.of(q, k).includePayload(false).ef(kind.startsWith("hnsw") ? 100 : 0 ) ));
          case "iqdbnoef" -> measure("iqdb search (no ef)", qs, q -> c.search(SearchRequest.of(q, k).includePayload(false)));
          case "topk" -> measure("raw search(knn(cand), k)", qs, q -> s.search(new KnnFloatVectorQuery(field, q, cand), k));
          case "topcand" -> measure("raw search(knn(cand), cand)", qs, q -> s.search(new KnnFloatVectorQuery(field, q, cand), cand));
          case "knnrewrite" -> measure("raw rewrite(knn(cand))", qs, q -> s.rewrite(new KnnFloatVectorQuery(field, q, cand)));
          case "fvv" -> measure("leaf.getFloatVectorValues", qs, q -> leaf.reader().getFloatVectorValues(field));
          case "rescorer" -> measure("getFloatVectorValues+rescorer", qs, q -> leaf.reader().getFloatVectorValues(field).rescorer(q));
          case "scorer" -> measure("getFloatVectorValues+scorer", qs, q -> leaf.reader().getFloatVectorValues(field).scorer(q));
          case "ids" -> measure("binary dv", qs, q -> leaf.reader().getBinaryDocValues("_id"));
          default -> throw new IllegalArgumentException(what);
        }
      }
      reader.close();
    }
  }
}
