package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.Filter;
import org.junit.jupiter.api.Test;

class FilterParserTest {

  @Test
  void compilesTheDocumentedExample() {
    assertEquals(
        Filter.allOf(Filter.eq("label", 3), Filter.range("year", 2020L, null), Filter.in("tag", "a", "b"),
            Filter.exists("x").not()),
        FilterParser.parse("label = 3 and year >= 2020 and tag in (a, b) and not exists(x)"));
  }

  @Test
  void precedenceIsNotThenAndThenOr() {
    assertEquals(
        Filter.anyOf(Filter.eq("a", 1), Filter.allOf(Filter.eq("b", 2), Filter.eq("c", 3).not())),
        FilterParser.parse("a = 1 OR b = 2 AND NOT c = 3"));
    assertEquals(
        Filter.allOf(Filter.anyOf(Filter.eq("a", 1), Filter.eq("b", 2)), Filter.eq("c", 3)),
        FilterParser.parse("(a = 1 or b = 2) and c = 3"));
  }

  @Test
  void valuesAndOperators() {
    assertEquals(Filter.eq("name", "Ankle boot"), FilterParser.parse("name = 'Ankle boot'"));
    assertEquals(Filter.eq("name", "it's"), FilterParser.parse("name == \"it's\""));
    assertEquals(Filter.eq("q", "o'k"), FilterParser.parse("q = 'o''k'"));
    assertEquals(Filter.eq("odd field", true), FilterParser.parse("`odd field` = true"));
    assertEquals(Filter.eq("price", 9.5), FilterParser.parse("price=9.5"));
    assertEquals(Filter.eq("n", -4), FilterParser.parse("n = -4"));
    assertEquals(Filter.eq("lang", "en").not(), FilterParser.parse("lang != en"));
    assertEquals(Filter.range("n", Math.nextUp(5.0), null), FilterParser.parse("n > 5"));
    assertEquals(Filter.range("n", null, Math.nextDown(5.0)), FilterParser.parse("n < 5"));
    assertEquals(Filter.range("n", Long.MAX_VALUE, null), FilterParser.parse("n > 9223372036854775806"));
    assertEquals(Filter.range("x", Math.nextUp(0.5), null), FilterParser.parse("x > 0.5"));
    assertEquals(Filter.range("x", null, 2.5), FilterParser.parse("x <= 2.5"));
    assertEquals(Filter.range("y", 2020L, 2025L), FilterParser.parse("y between 2020 and 2025"));
    assertEquals(Filter.in("t", "a", "b").not(), FilterParser.parse("t not in (a, 'b')"));
    assertEquals(Filter.in("n", 1, 2, 3), FilterParser.parse("n IN (1,2,3)"));
  }

  @Test
  void errorsNameTheColumn() {
    assertError("label = = 2", "at column 9 ('='): expected a value");
    assertError("label 3", "at column 7 ('3'): expected a comparison");
    assertError("(a = 1", "at the end: expected ')'");
    assertError("a = 1 b = 2", "at column 7 ('b'): expected 'and', 'or' or the end");
    assertError("a = 'x", "at column 5: unterminated 'quote");
    assertError("a ! b", "at column 3: '!' must be followed by '='");
    assertError("a > x", "expected a number, found 'x'");
    assertError("and = 1", "at column 1 ('and'): expected a field name");
    assertError("a = 1 and", "at the end: expected a field name");
    assertError("a in (1, 'x')", "must all be of one type");
    assertError("a = 99999999999999999999", "integer out of range");
  }

  private static void assertError(String expr, String expected) {
    CliException e = assertThrows(CliException.class, () -> FilterParser.parse(expr));
    assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    assertTrue(e.getMessage().startsWith("bad filter '" + expr + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), () -> expr + " -> " + e.getMessage());
  }
}
