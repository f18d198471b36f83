package io.iqdb.embeddings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.ClosedException;
import io.iqdb.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextEmbedderTest {

  private static TextEmbedder embedder;

  @BeforeAll
  static void open() {
    embedder = TextEmbedder.allMiniLmL6V2();
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void paraphrasesAreCloserThanUnrelatedTexts() {
    float[] q = embedder.embed("how do I compress files");
    float[] paraphrase = embedder.embed("gzip - compress or expand files");
    float[] unrelated = embedder.embed("Permission is hereby granted, free of charge, to any person");
    assertEquals(TextEmbedder.DIMENSION, q.length);
    double near = cosine(q, paraphrase);
    double far = cosine(q, unrelated);
    assertTrue(near > far + 0.2, "cos(paraphrase)=" + near + " cos(unrelated)=" + far);
  }

  @Test
  void vectorsAreUnitLength() {
    float[] v = embedder.embed("a block-sorting file compressor");
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    assertEquals(1.0, Math.sqrt(norm), 1e-3);
  }

  @Test
  void embedAllKeepsOrderMatchesEmbedAndReportsProgress() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < TextEmbedder.BATCH + 5; i++) {
      texts.add(i % 2 == 0 ? "copy files between hosts " + i : "the GNU General Public License version " + i);
    }
    List<Integer> progress = new ArrayList<>();
    long start = System.nanoTime();
    List<float[]> all = embedder.embedAll(texts, progress::add);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("embedded %d texts in %.2f s: %.0f texts/s%n", texts.size(), seconds, texts.size() / seconds);
    assertEquals(texts.size(), all.size());
    assertEquals(List.of(TextEmbedder.BATCH, texts.size()), progress);
    for (int i : new int[] {0, 1, TextEmbedder.BATCH + 4}) {
      float[] alone = embedder.embed(texts.get(i));
      assertTrue(cosine(alone, all.get(i)) > 0.9999, "text " + i + " embedded differently in a batch");
    }
    assertTrue(!Arrays.equals(all.get(0), all.get(1)));
  }

  @Test
  void aClosedEmbedderSaysSo() {
    TextEmbedder other = TextEmbedder.allMiniLmL6V2(1);
    assertEquals(TextEmbedder.DIMENSION, other.embed("loaded once per JVM").length);
    other.close();
    other.close();
    assertThrows(ClosedException.class, () -> other.embed("x"));
    assertThrows(ClosedException.class, () -> other.embedAll(List.of("x")));
  }

  @Test
  void blankTextIsRefusedNamingItsIndex() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> embedder.embedAll(List.of("fine", " ")));
    assertTrue(e.getMessage().contains("text 1 is blank"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> embedder.embed(null));
    assertThrows(InvalidArgumentException.class, () -> TextEmbedder.allMiniLmL6V2(0));
  }
}
