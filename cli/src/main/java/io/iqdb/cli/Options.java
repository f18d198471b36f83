package io.iqdb.cli;

import io.iqdb.Durability;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for the option values shared by several subcommands, and their names in help texts. */
final class Options {

  private Options() {}

  /** The kinds of index, as written on the command line. */
  enum IndexKind {
    flat,
    hnsw,
    ivf
  }

  /** {@code cosine}, {@code l2}, {@code dot}, {@code mip} (or the enum names). */
  static final class MetricConverter implements ITypeConverter<Metric> {
    @Override
    public Metric convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "cosine", "cos" -> Metric.COSINE;
        case "l2", "euclidean" -> Metric.L2;
        case "dot", "dot_product" -> Metric.DOT;
        case "mip", "max_inner_product", "ip" -> Metric.MAX_INNER_PRODUCT;
        default -> throw new TypeConversionException(
            "unknown metric '" + value + "' (expected cosine, l2, dot or mip)");
      };
    }
  }

  /** {@code none}, {@code int8}, {@code int7}, {@code int4}, {@code bit1}. */
  static final class QuantizationConverter implements ITypeConverter<Quantization> {
    @Override
    public Quantization convert(String value) {
      try {
        return Quantization.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "unknown quantization '" + value + "' (expected none, int8, int7, int4 or bit1)");
      }
    }
  }

  /** {@code sync}, {@code none}, or {@code async:INTERVAL} with an interval like {@code 200ms} or {@code 1s}. */
  static final class DurabilityConverter implements ITypeConverter<Durability> {
    @Override
    public Durability convert(String value) {
      String v = value.toLowerCase(Locale.ROOT);
      if (v.equals("sync")) {
        return Durability.sync();
      }
      if (v.equals("none")) {
        return Durability.none();
      }
      if (v.startsWith("async:")) {
        return Durability.async(duration(v.substring("async:".length()), value));
      }
      throw new TypeConversionException(
          "unknown durability '" + value + "' (expected sync, none or async:INTERVAL such as async:200ms)");
    }

    private static Duration duration(String s, String whole) {
      try {
        if (s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
      throw new TypeConversionException("bad interval in '" + whole + "' (expected e.g. async:200ms or async:1s)");
    }
  }

  /** The index spec for a kind and its options; a parameter that does not apply to the kind is refused. */
  static IndexSpec indexSpec(IndexKind kind, Integer m, Integer beamWidth, Integer lists, Quantization q) {
    Quantization quantization = q == null ? Quantization.NONE : q;
    if (kind != IndexKind.hnsw && (m != null || beamWidth != null)) {
      throw new CliException(ExitCode.USAGE, "--m and --beam-width apply to --index hnsw only");
    }
    if (kind != IndexKind.ivf && lists != null) {
      throw new CliException(ExitCode.USAGE, "--lists applies to --index ivf only");
    }
    return switch (kind) {
      case flat -> IndexSpec.flat(quantization);
      case hnsw -> new IndexSpec.Hnsw(
          m == null ? IndexSpec.Hnsw.DEFAULT_M : m,
          beamWidth == null ? IndexSpec.Hnsw.DEFAULT_BEAM_WIDTH : beamWidth,
          quantization);
      case ivf -> new IndexSpec.Ivf(lists == null ? 0 : lists, q == null ? IndexSpec.ivf().quantization() : q);
    };
  }

  /** A short description of an index spec for tables: {@code hnsw(m=16,beam=100)}. */
  static String describe(IndexSpec spec) {
    String q = spec.quantization() == Quantization.NONE ? "" : "," + spec.quantization().name().toLowerCase(Locale.ROOT);
    return switch (spec) {
      case IndexSpec.Flat f -> "flat" + (q.isEmpty() ? "" : "(" + q.substring(1) + ")");
      case IndexSpec.Hnsw h -> "hnsw(m=" + h.m() + ",beam=" + h.beamWidth() + q + ")";
      case IndexSpec.Ivf i -> "ivf(lists=" + (i.lists() == 0 ? "auto" : i.lists()) + q + ")";
    };
  }

  /** A metric's command-line name. */
  static String describe(Metric metric) {
    return switch (metric) {
      case COSINE -> "cosine";
      case L2 -> "l2";
      case DOT -> "dot";
      case MAX_INNER_PRODUCT -> "mip";
    };
  }
}
