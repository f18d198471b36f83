package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesEveryKindOfValue() throws Exception {
    Object v = Json.parse(" {\"s\": \"a\\\"b\\\\c\\n\\u00e9\", \"i\": -12, \"d\": 1.5e2, \"z\": 0, \"t\": true,"
        + " \"f\": false, \"n\": null, \"a\": [1, [], {}], \"big\": 123456789012345678901} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("s", "i", "d", "z", "t", "f", "n", "a", "big"), List.copyOf(m.keySet()));
    assertEquals("a\"b\\c\né", m.get("s"));
    assertEquals(-12L, m.get("i"));
    assertEquals(150.0, m.get("d"));
    assertEquals(0L, m.get("z"));
    assertEquals(Boolean.TRUE, m.get("t"));
    assertEquals(Boolean.FALSE, m.get("f"));
    assertSame(Json.NULL, m.get("n"));
    assertEquals(List.of(1L, List.of(), Map.of()), m.get("a"));
    assertEquals(1.2345678901234568E20, m.get("big"));
  }

  @Test
  void reportsTheColumnOfAnError() {
    assertError("{\"a\": 1,}", "column 9: expected a string key");
    assertError("[1 2]", "column 4: expected ',' or ']'");
    assertError("{\"a\": 01}", "column 8: expected ',' or '}'");
    assertError("{\"a\": tru}", "column 7: unexpected 't'");
    assertError("\"abc", "unterminated string");
    assertError("{\"a\": 1, \"a\": 2}", "column 10: duplicate key \"a\"");
    assertError("[1] x", "column 5: unexpected 'x' after the value");
    assertError("[-]", "column 3: bad number");
    assertError("[1.]", "column 4: bad number: digits expected after '.'");
    assertError("", "column 1: unexpected end of input");
    assertError("[\"a\tb\"]", "column 4: control character in string");
    assertError("[".repeat(100), "nesting deeper than 64");
  }

  private static void assertError(String json, String expected) {
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(json));
    assertTrue(e.getMessage().contains(expected), () -> json + " -> " + e.getMessage());
  }

  @Test
  void writesWhatItReads() throws Exception {
    Map<String, Object> m = Json.object("id", "x\"y", "v", new float[] {1.5f, -0.1f, 3e-8f}, "p",
        Json.object("n", 3L, "d", 0.25, "b", true, "l", List.of("a", "b\n")), "nil", null);
    String s = Json.write(m);
    assertEquals("{\"id\":\"x\\\"y\",\"v\":[1.5,-0.1,3.0E-8],\"p\":{\"n\":3,\"d\":0.25,\"b\":true,\"l\":[\"a\",\"b\\n\"]},\"nil\":null}", s);
    Map<?, ?> back = (Map<?, ?>) Json.parse(s);
    assertEquals(-0.1f, ((Number) ((List<?>) back.get("v")).get(1)).floatValue());
    assertEquals(3e-8f, ((Number) ((List<?>) back.get("v")).get(2)).floatValue());
    assertEquals(List.of("a", "b\n"), ((Map<?, ?>) back.get("p")).get("l"));
    assertEquals("\"\\u0001\"", Json.write("\u0001"));
  }
}
