package io.iqdb.cli;

import io.iqdb.Filter;
import io.iqdb.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles the {@code --filter} expression language to a {@link Filter}.
 *
 * <pre>
 * expr    := and ( "or" and )*
 * and     := unary ( "and" unary )*
 * unary   := "not" unary | primary
 * primary := "(" expr ")"
 *          | "exists" "(" field ")"
 *          | field ( "=" | "==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" ) value
 *          | field [ "not" ] "in" "(" value ( "," value )* ")"
 *          | field "between" number "and" number
 * value   := number | 'string' | "string" | true | false | bareword
 * field   := [A-Za-z0-9_.-]+ | `any text`
 * </pre>
 *
 * <p>Keywords are case-insensitive. A number without a fraction or exponent is an integer (for long
 * and double fields), otherwise a decimal; a bareword that is not a number or boolean is a string.
 * {@code <} and {@code >} are strict: they become inclusive bounds at the next representable double,
 * which the database rounds to the next integer on long fields. {@code !=} is {@code not (field =
 * value)} and so
 * matches records without the field. Example: {@code label = 3 and year >= 2020 and tag in (a, b) and
 * not exists(x)}.
 */
final class FilterParser {

  private enum Kind {
    WORD, STRING, NUMBER, FIELD, OP, LPAREN, RPAREN, COMMA, END
  }

  private record Token(Kind kind, String text, int column) {}

  private final String source;
  private final List<Token> tokens;
  private int next;

  private FilterParser(String source) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  /**
   * Parses an expression.
   *
   * @param expression the text
   * @return the filter
   * @throws CliException with {@link ExitCode#BAD_INPUT} naming the column of the problem
   */
  static Filter parse(String expression) {
    FilterParser p = new FilterParser(expression);
    Filter f = p.or();
    if (p.peek().kind != Kind.END) {
      throw p.error(p.peek(), "expected 'and', 'or' or the end");
    }
    return f;
  }

  private Filter or() {
    List<Filter> parts = new ArrayList<>(List.of(and()));
    while (isKeyword(peek(), "or")) {
      next++;
      parts.add(and());
    }
    return parts.size() == 1 ? parts.get(0) : Filter.anyOf(parts.toArray(new Filter[0]));
  }

  private Filter and() {
    List<Filter> parts = new ArrayList<>(List.of(unary()));
    while (isKeyword(peek(), "and")) {
      next++;
      parts.add(unary());
    }
    return parts.size() == 1 ? parts.get(0) : Filter.allOf(parts.toArray(new Filter[0]));
  }

  private Filter unary() {
    if (isKeyword(peek(), "not")) {
      next++;
      return unary().not();
    }
    return primary();
  }

  private Filter primary() {
    Token t = take();
    if (t.kind == Kind.LPAREN) {
      Filter inner = or();
      expect(Kind.RPAREN, "')'");
      return inner;
    }
    if (isKeyword(t, "exists") && peek().kind == Kind.LPAREN) {
      next++;
      String field = field(take());
      expect(Kind.RPAREN, "')'");
      return Filter.exists(field);
    }
    String field = field(t);
    Token op = take();
    try {
      if (op.kind == Kind.OP) {
        return comparison(field, op, take());
      }
      boolean negated = false;
      if (isKeyword(op, "not")) {
        negated = true;
        op = take();
      }
      if (isKeyword(op, "in")) {
        expect(Kind.LPAREN, "'(' after 'in'");
        List<Object> values = new ArrayList<>();
        do {
          Token t2 = take();
          Object v = value(t2);
          if (!values.isEmpty() && values.get(0).getClass() != v.getClass()) {
            throw error(t2, "the values of 'in' must all be of one type; '" + t2.text + "' differs from the first");
          }
          values.add(v);
        } while (peek().kind == Kind.COMMA && take() != null);
        expect(Kind.RPAREN, "')' or ','");
        Filter in = Filter.in(field, values);
        return negated ? in.not() : in;
      }
      if (!negated && isKeyword(op, "between")) {
        Token lo = take();
        if (!isKeyword(take(), "and")) {
          throw error(tokens.get(next - 1), "expected 'and' in 'between ... and ...'");
        }
        Token hi = take();
        return Filter.range(field, number(lo), number(hi));
      }
    } catch (InvalidArgumentException e) {
      throw error(op, e.getMessage());
    }
    throw error(op, "expected a comparison (= != < <= > >=), 'in' or 'between' after field '" + field + "'");
  }

  private Filter comparison(String field, Token op, Token valueToken) {
    Object v = value(valueToken);
    return switch (op.text) {
      case "=", "==" -> Filter.eq(field, v);
      case "!=" -> Filter.eq(field, v).not();
      case ">=" -> Filter.range(field, number(valueToken), null);
      case "<=" -> Filter.range(field, null, number(valueToken));
      case ">" -> Filter.range(field, strictlyAbove(number(valueToken), valueToken), null);
      case "<" -> Filter.range(field, null, strictlyBelow(number(valueToken), valueToken));
      default -> throw error(op, "unknown operator '" + op.text + "'");
    };
  }

  /**
   * The inclusive lower bound meaning "greater than n". The field's type is not known here, and the
   * database rounds a decimal bound on a long field inward (ceil for a minimum), so the next double
   * above n is right for both long and double fields. Beyond 2^53 doubles skip integers; there an
   * integer literal is assumed to be meant for a long field.
   */
  private Number strictlyAbove(Number n, Token t) {
    if (n instanceof Long l && Math.abs(l) >= EXACT_DOUBLE_LIMIT) {
      if (l == Long.MAX_VALUE) {
        throw error(t, "nothing is greater than " + l);
      }
      return l + 1;
    }
    return Math.nextUp(n.doubleValue());
  }

  /** The inclusive upper bound meaning "less than n"; see {@link #strictlyAbove}. */
  private Number strictlyBelow(Number n, Token t) {
    if (n instanceof Long l && Math.abs(l) >= EXACT_DOUBLE_LIMIT) {
      if (l == Long.MIN_VALUE) {
        throw error(t, "nothing is less than " + l);
      }
      return l - 1;
    }
    return Math.nextDown(n.doubleValue());
  }

  /** 2^53: every long of smaller magnitude is exactly a double. */
  private static final long EXACT_DOUBLE_LIMIT = 1L << 53;

  private Number number(Token t) {
    if (value(t) instanceof Number n) {
      return n;
    }
    throw error(t, "expected a number, found '" + t.text + "'");
  }

  private Object value(Token t) {
    return switch (t.kind) {
      case STRING -> t.text;
      case NUMBER -> t.text.matches("[-+]?[0-9]+") ? parseLong(t) : (Object) Double.parseDouble(t.text);
      case WORD -> switch (t.text.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> t.text;
      };
      default -> throw error(t, "expected a value");
    };
  }

  private Long parseLong(Token t) {
    try {
      return Long.parseLong(t.text);
    } catch (NumberFormatException e) {
      throw error(t, "integer out of range: " + t.text);
    }
  }

  private String field(Token t) {
    if (t.kind == Kind.FIELD || (t.kind == Kind.WORD && !isReserved(t.text))) {
      return t.text;
    }
    throw error(t, "expected a field name");
  }

  private static boolean isReserved(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "and", "or", "not", "in", "between", "exists" -> true;
      default -> false;
    };
  }

  private static boolean isKeyword(Token t, String keyword) {
    return t.kind == Kind.WORD && t.text.equalsIgnoreCase(keyword);
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    Token t = tokens.get(next);
    if (t.kind != Kind.END) {
      next++;
    }
    return t;
  }

  private void expect(Kind kind, String what) {
    Token t = take();
    if (t.kind != kind) {
      throw error(t, "expected " + what);
    }
  }

  private CliException error(Token t, String message) {
    String at = t.kind == Kind.END ? "at the end" : "at column " + t.column + " ('" + t.text + "')";
    return CliException.badInput("bad filter '" + source + "' " + at + ": " + message);
  }

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int col = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')' || c == ',') {
        out.add(new Token(c == '(' ? Kind.LPAREN : c == ')' ? Kind.RPAREN : Kind.COMMA, String.valueOf(c), col));
        i++;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '=') {
          j++;
        }
        String op = s.substring(i, j);
        if (op.equals("!")) {
          throw CliException.badInput("bad filter '" + s + "' at column " + col + ": '!' must be followed by '=' (use 'not' to negate)");
        }
        out.add(new Token(Kind.OP, op, col));
        i = j;
      } else if (c == '\'' || c == '"' || c == '`') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (true) {
          if (j >= s.length()) {
            throw CliException.badInput("bad filter '" + s + "' at column " + col + ": unterminated " + c + "quote");
          }
          char d = s.charAt(j++);
          if (d == c) {
            if (j < s.length() && s.charAt(j) == c) { // a doubled quote stands for itself
              b.append(c);
              j++;
              continue;
            }
            break;
          }
          b.append(d);
        }
        out.add(new Token(c == '`' ? Kind.FIELD : Kind.STRING, b.toString(), col));
        i = j;
      } else if (isWordChar(c)) {
        int j = i;
        while (j < s.length() && isWordChar(s.charAt(j))) {
          j++;
        }
        String w = s.substring(i, j);
        out.add(new Token(Vectors.isNumber(w) ? Kind.NUMBER : Kind.WORD, w, col));
        i = j;
      } else {
        throw CliException.badInput("bad filter '" + s + "' at column " + col + ": unexpected '" + c + "'");
      }
    }
    out.add(new Token(Kind.END, "", s.length() + 1));
    return out;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '+';
  }
}
