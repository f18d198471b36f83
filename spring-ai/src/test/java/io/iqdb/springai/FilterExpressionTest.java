package io.iqdb.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.IndexSpec;
import io.iqdb.InvalidFilterException;
import io.iqdb.Iqdb;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.ai.vectorstore.filter.FilterExpressionTextParser;

/**
 * Every {@link Filter.ExpressionType}, written both in Spring AI's text syntax and with {@link
 * FilterExpressionBuilder}, searched on one store of six documents whose metadata covers every
 * supported value type; each case states the exact set of documents it must return.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterExpressionTest {

  private static final FilterExpressionBuilder B = new FilterExpressionBuilder();

  private Iqdb db;
  private IqdbVectorStore store;

  /** The collection's index; subclasses run the same cases on the other index kinds. */
  IndexSpec index() {
    return IndexSpec.hnsw();
  }

  @BeforeAll
  void addDocuments() {
    db = Iqdb.openInMemory();
    store = IqdbVectorStore.builder(db, MiniLmEmbeddingModel.INSTANCE).index(index()).build();
    assertEquals(index(), store.collection().config().index());
    store.add(documents());
  }

  @AfterAll
  void close() {
    db.close();
  }

  /** year: Integer, rating: Double, price: Float, views: Long, active: Boolean, tags: List. */
  static List<Document> documents() {
    return List.of(
        doc("uk20", "Election results in London", Map.of("country", "UK", "year", 2020, "rating", 4.5,
            "price", 0.1f, "views", 1000L, "active", true, "tags", List.of("news", "tech"))),
        doc("nl21", "Cycling through Amsterdam", Map.of("country", "NL", "year", 2021, "rating", 3.0,
            "price", 2.5f, "views", 5L, "active", false, "tags", List.of("tech"))),
        doc("uk23", "Football in Manchester", Map.of("country", "UK", "year", 2023, "rating", 4.9,
            "price", 10f, "views", 70L, "active", true, "tags", List.of("sport"))),
        doc("bg", "The Black Sea coast in summer", Map.of("country", "BG", "rating", 2.0,
            "price", 0.2f, "active", false)),
        doc("none", "A document without a country", Map.of("year", 2019, "tags", List.of("news"))),
        doc("de24", "Trains from Berlin to Munich", Map.of("country", "DE", "year", 2024, "rating", 3.5,
            "active", true, "views", 1000L)));
  }

  private static Document doc(String id, String text, Map<String, Object> metadata) {
    return Document.builder().id(id).text(text).metadata(new LinkedHashMap<>(metadata)).build();
  }

  /** (name, text syntax or null, builder expression, expected ids). */
  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    // EQ on every value type
    c.add(of("country == 'UK'", B.eq("country", "UK").build(), "uk20", "uk23"));
    c.add(of("year == 2020", B.eq("year", 2020).build(), "uk20"));
    c.add(of("rating == 4.5", B.eq("rating", 4.5).build(), "uk20"));
    // A Float compares in float precision: 0.1 (a double) matches the stored 0.1f.
    c.add(of("price == 0.1", B.eq("price", 0.1).build(), "uk20"));
    c.add(of("views == 1000", B.eq("views", 1000L).build(), "uk20", "de24"));
    c.add(of("active == true", B.eq("active", true).build(), "uk20", "uk23", "de24"));
    c.add(of("tags == 'tech'", B.eq("tags", "tech").build(), "uk20", "nl21"));
    c.add(of("year == 2020.5", B.eq("year", 2020.5).build()));
    // NE: records without the key match too (NOT of EQ)
    c.add(of("country != 'UK'", B.ne("country", "UK").build(), "nl21", "bg", "none", "de24"));
    c.add(of("active != true", B.ne("active", true).build(), "nl21", "bg", "none"));
    // GT, GTE, LT, LTE on integral, double, float and string values
    c.add(of("year > 2020", B.gt("year", 2020).build(), "nl21", "uk23", "de24"));
    c.add(of("year >= 2021", B.gte("year", 2021).build(), "nl21", "uk23", "de24"));
    c.add(of("year < 2021", B.lt("year", 2021).build(), "uk20", "none"));
    c.add(of("year <= 2020", B.lte("year", 2020).build(), "uk20", "none"));
    c.add(of("year > 2020.5", B.gt("year", 2020.5).build(), "nl21", "uk23", "de24"));
    c.add(of("year <= 2020.5", B.lte("year", 2020.5).build(), "uk20", "none"));
    c.add(of("rating > 4.5", B.gt("rating", 4.5).build(), "uk23"));
    c.add(of("rating >= 4.5", B.gte("rating", 4.5).build(), "uk20", "uk23"));
    c.add(of("rating < 3", B.lt("rating", 3).build(), "bg"));
    c.add(of("rating <= 3", B.lte("rating", 3).build(), "nl21", "bg"));
    c.add(of("price > 0.1", B.gt("price", 0.1).build(), "nl21", "uk23", "bg"));
    c.add(of("price <= 0.2", B.lte("price", 0.2).build(), "uk20", "bg"));
    c.add(of("views >= 70", B.gte("views", 70L).build(), "uk20", "uk23", "de24"));
    c.add(of("country >= 'NL'", B.gte("country", "NL").build(), "uk20", "nl21", "uk23"));
    c.add(of("country < 'C'", B.lt("country", "C").build(), "bg"));
    // IN and NIN
    c.add(of("country IN ['UK', 'BG']", B.in("country", "UK", "BG").build(), "uk20", "uk23", "bg"));
    c.add(of("year IN [2019, 2024]", B.in("year", 2019, 2024).build(), "none", "de24"));
    c.add(of("tags IN ['sport', 'news']", B.in("tags", "sport", "news").build(), "uk20", "uk23", "none"));
    c.add(of("country NOT IN ['UK', 'BG']", B.nin("country", "UK", "BG").build(), "nl21", "none", "de24"));
    c.add(of("year NOT IN [2020, 2021]", B.nin("year", 2020, 2021).build(), "uk23", "bg", "none", "de24"));
    // AND, OR, NOT, groups
    c.add(of("country == 'UK' && year >= 2020",
        B.and(B.eq("country", "UK"), B.gte("year", 2020)).build(), "uk20", "uk23"));
    c.add(of("country == 'BG' || year < 2020",
        B.or(B.eq("country", "BG"), B.lt("year", 2020)).build(), "bg", "none"));
    c.add(of("NOT (year >= 2021)", B.not(B.group(B.gte("year", 2021))).build(), "uk20", "bg", "none"));
    c.add(of("(country == 'UK' || country == 'NL') && NOT (active == true)",
        B.and(B.group(B.or(B.eq("country", "UK"), B.eq("country", "NL"))), B.not(B.eq("active", true))).build(),
        "nl21"));
    // ISNULL and ISNOTNULL
    c.add(of("year IS NULL", B.isNull("year").build(), "bg"));
    c.add(of("country IS NOT NULL", B.isNotNull("country").build(), "uk20", "nl21", "uk23", "bg", "de24"));
    // A key no document has: matches nothing, and its negation everything.
    c.add(of("planet == 'Mars'", B.eq("planet", "Mars").build()));
    c.add(of("planet != 'Mars'", B.ne("planet", "Mars").build(), "uk20", "nl21", "uk23", "bg", "none", "de24"));
    return c.stream();
  }

  private static Arguments of(String text, Filter.Expression built, String... expected) {
    return Arguments.of(text, built, new TreeSet<>(List.of(expected)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void textSyntax(String text, Filter.Expression built, Set<String> expected) {
    assertEquals(expected, search(SearchRequest.builder().filterExpression(text)), text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void builtExpression(String text, Filter.Expression built, Set<String> expected) {
    assertEquals(expected, search(SearchRequest.builder().filterExpression(built)), built.toString());
  }

  @Test
  void casesCoverEveryExpressionType() {
    Set<Filter.ExpressionType> seen = EnumSet.noneOf(Filter.ExpressionType.class);
    FilterExpressionTextParser parser = new FilterExpressionTextParser();
    cases().forEach(a -> {
      collect(parser.parse((String) a.get()[0]), seen);
      collect((Filter.Expression) a.get()[1], seen);
    });
    assertEquals(EnumSet.allOf(Filter.ExpressionType.class), seen);
  }

  private static void collect(Filter.Operand operand, Set<Filter.ExpressionType> seen) {
    if (operand instanceof Filter.Group g) {
      collect(g.content(), seen);
    } else if (operand instanceof Filter.Expression e) {
      seen.add(e.type());
      collect(e.left(), seen);
      if (e.right() != null) {
        collect(e.right(), seen);
      }
    }
  }

  /** An IN list far longer than Lucene's default limit of 1024 clauses per query. */
  @Test
  void longInLists() {
    List<Object> years = new ArrayList<>();
    List<Object> countries = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      years.add(i % 2 == 0 ? 1000 + i : 1000.5 + i); // 2020 is in, 2021.5 and 2023.5 equal no year
      countries.add("C" + i);
    }
    countries.add("NL");
    assertEquals(Set.of("uk20", "de24"), search(SearchRequest.builder().filterExpression(B.in("year", years).build())));
    assertEquals(Set.of("nl21"), search(SearchRequest.builder().filterExpression(B.in("country", countries).build())));
    assertEquals(Set.of("uk20", "uk23", "bg", "none", "de24"),
        search(SearchRequest.builder().filterExpression(B.nin("country", countries).build())));
  }

  @Test
  void invalidFiltersFailWithTheirValue() {
    InvalidFilterException reserved =
        assertThrows(InvalidFilterException.class, () -> search(SearchRequest.builder().filterExpression("_id == 'uk20'")));
    assertTrue(reserved.getMessage().contains("_id"), reserved.getMessage());
    InvalidFilterException bool =
        assertThrows(InvalidFilterException.class, () -> search(SearchRequest.builder().filterExpression("active > true")));
    assertTrue(bool.getMessage().contains("java.lang.Boolean"), bool.getMessage());
    Filter.Expression listInEq = new Filter.Expression(Filter.ExpressionType.EQ,
        new Filter.Key("tags"), new Filter.Value(List.of("news")));
    InvalidFilterException list =
        assertThrows(InvalidFilterException.class, () -> search(SearchRequest.builder().filterExpression(listInEq)));
    assertTrue(list.getMessage().contains("use IN"), list.getMessage());
  }

  private Set<String> search(SearchRequest.Builder request) {
    List<Document> hits = store.similaritySearch(request.query("news").topK(20).similarityThresholdAll().build());
    return hits.stream().map(Document::getId).collect(Collectors.toCollection(TreeSet::new));
  }
}
