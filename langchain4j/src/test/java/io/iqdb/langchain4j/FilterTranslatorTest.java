package io.iqdb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidFilterException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the filter translation against LangChain4j's own semantics: every random filter must
 * select, through the store, exactly the segments for which LangChain4j's {@code
 * Filter.test(metadata)} is true. Numbers of all four types share one key, so cross-type numeric
 * comparisons are exercised.
 */
class FilterTranslatorTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final int RECORDS = 300;
  private static final int FILTERS = 400;

  private static final List<UUID> UUIDS = List.of(
      UUID.fromString("00000000-0000-0000-0000-000000000001"),
      UUID.fromString("ffffffff-0000-0000-0000-000000000002"),
      UUID.fromString("7fffffff-aaaa-bbbb-cccc-000000000003"));
  private static final List<String> STRINGS = List.of("", " ", "a", "b", "ab", "abc", "B", "a*b", "a?c", "x\\y", "zz");

  private static IqdbEmbeddingStore store;
  private static final Map<String, Metadata> metadataById = new HashMap<>();

  @BeforeAll
  static void fill() {
    store = IqdbEmbeddingStore.builder().inMemory().dimension(4).index(IndexSpec.flat()).build();
    Random random = new Random(SEED);
    List<String> ids = new ArrayList<>();
    List<Embedding> embeddings = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      Metadata m = new Metadata();
      if (random.nextInt(4) > 0) {
        putNumber(m, "n", randomNumber(random));
      }
      if (random.nextInt(4) > 0) {
        m.put("s", STRINGS.get(random.nextInt(STRINGS.size())));
      }
      if (random.nextInt(3) > 0) {
        m.put("u", UUIDS.get(random.nextInt(UUIDS.size())));
      }
      String id = "r" + i;
      ids.add(id);
      embeddings.add(Embedding.from(new float[] {1f + random.nextFloat(), random.nextFloat(), random.nextFloat(), 0.5f}));
      segments.add(TextSegment.from("text " + i, m));
      metadataById.put(id, m);
    }
    store.addAll(ids, embeddings, segments);
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void randomFiltersSelectWhatLangChain4jSelects() {
    Random random = new Random(SEED + 1);
    int selective = 0;
    for (int i = 0; i < FILTERS; i++) {
      Filter filter = randomFilter(random, 3);
      Set<String> expected = metadataById.entrySet().stream()
          .filter(e -> filter.test(e.getValue()))
          .map(Map.Entry::getKey)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(expected, search(filter), "seed " + SEED + ", filter " + filter);
      if (!expected.isEmpty() && expected.size() < RECORDS) {
        selective++;
      }
    }
    // most filters must select some records but not all, or the comparison proves little
    assertTrue(selective > FILTERS / 2, "only " + selective + " of " + FILTERS + " filters were selective");
  }

  @Test
  void numbersCompareByValueAcrossTypes() {
    try (IqdbEmbeddingStore s = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      add(s, "int", new Metadata().put("x", 1));
      add(s, "long", new Metadata().put("x", 1L));
      add(s, "float", new Metadata().put("x", 1.1f));
      add(s, "double", new Metadata().put("x", 1.1d));
      add(s, "negzero", new Metadata().put("x", -0.0d));
      add(s, "big", new Metadata().put("x", Long.MAX_VALUE));
      assertEquals(Set.of("int", "long"), ids(s, metadataKey("x").isEqualTo(1.0d)));
      assertEquals(Set.of("float", "double"), ids(s, metadataKey("x").isEqualTo(1.1f)));
      assertEquals(Set.of("float", "double"), ids(s, metadataKey("x").isEqualTo(1.1d)));
      assertEquals(Set.of("negzero"), ids(s, metadataKey("x").isEqualTo(0)));
      assertEquals(Set.of("negzero"), ids(s, metadataKey("x").isLessThanOrEqualTo(0.0f)));
      assertEquals(Set.of("int", "long", "float", "double", "negzero"), ids(s, metadataKey("x").isLessThan(2)));
      assertEquals(Set.of("float", "double", "big"), ids(s, metadataKey("x").isGreaterThan(1)));
      assertEquals(Set.of("big"), ids(s, metadataKey("x").isGreaterThan(9.2e18)));
      assertEquals(Set.of(), ids(s, metadataKey("x").isGreaterThan(1e300)));
      assertEquals(Set.of("int", "long", "float", "double", "negzero", "big"), ids(s, metadataKey("x").isGreaterThan(-1e300)));
      assertEquals(Set.of("big"), ids(s, metadataKey("x").isIn(Long.MAX_VALUE, 7)));
      assertEquals(Set.of("int", "long", "negzero"), ids(s, metadataKey("x").isIn(1.0f, 0)));
      // a number never equals a string, and a missing key satisfies only the negations
      assertEquals(Set.of(), ids(s, metadataKey("x").isEqualTo("1")));
      assertEquals(Set.of("int", "long", "float", "double", "negzero", "big"), ids(s, metadataKey("y").isNotEqualTo(3)));
    }
  }

  @Test
  void unsupportedValuesAreRejectedNamingThem() {
    InvalidFilterException nan = assertThrows(InvalidFilterException.class,
        () -> FilterTranslator.toQuery(metadataKey("x").isGreaterThan(Double.NaN)));
    assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    InvalidFilterException bool = assertThrows(InvalidFilterException.class,
        () -> FilterTranslator.toQuery(new IsEqualTo("flag", true)));
    assertTrue(bool.getMessage().contains("java.lang.Boolean"), bool.getMessage());
    InvalidFilterException contains = assertThrows(InvalidFilterException.class,
        () -> FilterTranslator.toQuery(metadataKey("s").containsString("ab".repeat(5_000))));
    assertTrue(contains.getMessage().contains("10000 characters"), contains.getMessage());
    Filter custom = new Filter() {
      @Override
      public boolean test(Object object) {
        return true;
      }
    };
    InvalidFilterException unknown = assertThrows(InvalidFilterException.class, () -> FilterTranslator.toQuery(custom));
    assertTrue(unknown.getMessage().contains("unsupported LangChain4j filter"), unknown.getMessage());
  }

  private static Set<String> search(Filter filter) {
    return store.search(EmbeddingSearchRequest.builder()
            .queryEmbedding(Embedding.from(new float[] {1f, 0f, 0f, 0f}))
            .filter(filter)
            .maxResults(RECORDS + 10)
            .build())
        .matches().stream()
        .map(EmbeddingMatch::embeddingId)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void add(IqdbEmbeddingStore s, String id, Metadata m) {
    s.addAll(List.of(id), List.of(Embedding.from(new float[] {1f, 0f})), List.of(TextSegment.from(id, m)));
  }

  private static Set<String> ids(IqdbEmbeddingStore s, Filter filter) {
    return s.search(EmbeddingSearchRequest.builder()
            .queryEmbedding(Embedding.from(new float[] {1f, 0f}))
            .filter(filter)
            .maxResults(100)
            .build())
        .matches().stream()
        .map(EmbeddingMatch::embeddingId)
        .collect(Collectors.toSet());
  }

  /** A small number of a random type; values of different types often coincide (1, 1L, 1.0f, 1.0). */
  private static Object randomNumber(Random random) {
    int whole = random.nextInt(7) - 3;
    return switch (random.nextInt(6)) {
      case 0 -> whole;
      case 1 -> (long) whole;
      case 2 -> (float) whole;
      case 3 -> (double) whole;
      case 4 -> whole + 0.1f * (random.nextInt(3) + 1);
      default -> whole == 0 && random.nextBoolean() ? -0.0d : whole + 0.1d * (random.nextInt(3) + 1);
    };
  }

  private static void putNumber(Metadata m, String key, Object n) {
    switch (n) {
      case Integer i -> m.put(key, i);
      case Long l -> m.put(key, l);
      case Float f -> m.put(key, f);
      case Double d -> m.put(key, d);
      default -> throw new AssertionError(n);
    }
  }

  private static Filter randomFilter(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 13 : 10);
    return switch (kind) {
      case 0, 1, 2, 3, 4, 5 -> comparison(random, random.nextInt(6));
      case 6 -> new IsIn("n", List.of(randomNumber(random), randomNumber(random)));
      case 7 -> random.nextBoolean()
          ? new IsNotIn("s", List.of(randomString(random), randomString(random)))
          : new IsIn("u", List.of(UUIDS.get(random.nextInt(UUIDS.size()))));
      case 8 -> new ContainsString("s", randomString(random));
      case 9 -> random.nextBoolean()
          ? new IsEqualTo("u", UUIDS.get(random.nextInt(UUIDS.size())))
          : new IsNotEqualTo("u", UUIDS.get(random.nextInt(UUIDS.size())));
      case 10 -> new And(randomFilter(random, depth - 1), randomFilter(random, depth - 1));
      case 11 -> new Or(randomFilter(random, depth - 1), randomFilter(random, depth - 1));
      default -> new Not(randomFilter(random, depth - 1));
    };
  }

  /**
   * A comparison on the numeric key or on the string key. UUIDs are left out of order comparisons:
   * LangChain4j orders them by {@code UUID.compareTo} (signed longs), this store by their text.
   */
  private static Filter comparison(Random random, int op) {
    boolean numeric = random.nextInt(3) > 0;
    Comparable<?> value = numeric ? (Comparable<?>) randomNumber(random) : randomString(random);
    String key = numeric ? "n" : "s";
    return switch (op) {
      case 0 -> new IsEqualTo(key, value);
      case 1 -> new IsNotEqualTo(key, value);
      case 2 -> new IsGreaterThan(key, value);
      case 3 -> new IsGreaterThanOrEqualTo(key, value);
      case 4 -> new IsLessThan(key, value);
      default -> new IsLessThanOrEqualTo(key, value);
    };
  }

  private static String randomString(Random random) {
    return STRINGS.get(random.nextInt(STRINGS.size()));
  }
}
