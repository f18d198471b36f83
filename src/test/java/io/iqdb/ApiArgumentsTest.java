package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every public constructor and method of every public type of package {@code io.iqdb} (found
 * from the compiled classes, so a new method is covered without touching this test) and calls it
 * with {@code null} for each reference parameter in turn, the others valid: it must throw an
 * {@link InvalidArgumentException} whose message names the parameter. Never a
 * NullPointerException, an IllegalArgumentException or a Lucene exception.
 *
 * <p>Not walked: exception types (their constructors take a message and a cause, as every {@link
 * Throwable} does) and {@code equals(Object)}. Parameters documented as accepting {@code null}
 * are listed in {@link #NULLABLE}: for them the call must not throw at all.
 */
class ApiArgumentsTest {
  /** {@code Type#member#parameter} (nested types as {@code Outer$Inner}) of the parameters documented to accept null. */
  private static final Set<String> NULLABLE = Set.of(
      "Filter#range#min", "Filter#range#max", "Filter$Range#<init>#min", "Filter$Range#<init>#max",
      "CollectionConfig#<init>#durability", "CollectionConfig$Builder#durability#durability",
      "CollectionConfig#<init>#commitPolicy", "CollectionConfig$Builder#commitPolicy#commitPolicy",
      "VectorCollection#upsert#payload", "VectorRecord#<init>#payload", "VectorRecord#of#payload",
      "Hit#<init>#vector",
      // text: null means "no text"
      "Hit#<init>#text", "VectorCollection#upsert#text", "VectorRecord#<init>#text", "VectorRecord#of#text",
      "AsyncVectorCollection#upsert#payload", "AsyncVectorCollection#upsert#text",
      // a result without an explanation: the request did not ask for one
      "SearchResult#<init>#explanation");

  @TempDir Path tmp;
  private Iqdb db;
  private VectorCollection collection;

  @BeforeEach
  void open() {
    db = Iqdb.openInMemory();
    collection = db.createCollection("c", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.flat()).build());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private List<Class<?>> publicTypes() throws IOException, URISyntaxException {
    Path dir = Path.of(Iqdb.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("io/iqdb");
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
        String n = f.getFileName().toString();
        try {
          Class<?> c = Class.forName("io.iqdb." + n.substring(0, n.length() - ".class".length()));
          if (Modifier.isPublic(c.getModifiers()) && !Throwable.class.isAssignableFrom(c)
              && !c.isAnonymousClass() && !c.getSimpleName().equals("package-info")) {
            types.add(c);
          }
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertTrue(types.size() > 15, "found too few API types: " + types);
    return types;
  }

  /** A receiver for instance methods of {@code type}. */
  private Object instance(Class<?> type) {
    if (type == Iqdb.class) {
      return db;
    }
    if (type == VectorCollection.class) {
      return collection;
    }
    if (type == AsyncVectorCollection.class) {
      return collection.async();
    }
    if (type == Iqdb.Builder.class) {
      return Iqdb.builder();
    }
    if (type == CollectionConfig.Builder.class) {
      return CollectionConfig.builder(2, Metric.L2);
    }
    if (type == Payload.Builder.class) {
      return Payload.builder();
    }
    return sample(type);
  }

  /** A valid value of a parameter type. */
  private Object sample(Class<?> type) {
    Map<Class<?>, Object> samples = Map.ofEntries(
        Map.entry(String.class, "x"),
        Map.entry(float[].class, new float[] {1, 0}),
        Map.entry(Object[].class, new Object[] {"a", "b"}),
        Map.entry(Filter[].class, new Filter[] {Filter.exists("a")}),
        Map.entry(Object.class, "v"),
        Map.entry(Number.class, 1L),
        Map.entry(Payload.class, Payload.empty()),
        Map.entry(Filter.class, Filter.eq("a", "b")),
        Map.entry(Query.class, new MatchAllDocsQuery()),
        Map.entry(Duration.class, Duration.ofSeconds(1)),
        Map.entry(Path.class, tmp.resolve("db")),
        Map.entry(Metric.class, Metric.L2),
        Map.entry(Quantization.class, Quantization.NONE),
        Map.entry(IndexSpec.class, IndexSpec.flat()),
        Map.entry(Durability.class, Durability.sync()),
        Map.entry(CommitPolicy.class, CommitPolicy.defaults()),
        Map.entry(java.util.concurrent.Executor.class, (java.util.concurrent.Executor) Runnable::run),
        Map.entry(java.time.Instant.class, java.time.Instant.EPOCH),
        Map.entry(Durability.Mode.class, Durability.Mode.SYNC),
        Map.entry(CollectionConfig.class, CollectionConfig.builder(2, Metric.L2).build()),
        Map.entry(SearchRequest.class, SearchRequest.of(new float[] {1, 0}, 1)),
        Map.entry(VectorRecord.class, VectorRecord.of("r", new float[] {1, 0})),
        Map.entry(Hit.class, new Hit("h", 1f, Payload.empty(), null)),
        Map.entry(IndexSpec.Flat.class, IndexSpec.flat()),
        Map.entry(IndexSpec.Hnsw.class, IndexSpec.hnsw()),
        Map.entry(IndexSpec.Ivf.class, IndexSpec.ivf()),
        Map.entry(Filter.Eq.class, Filter.eq("a", "b")),
        Map.entry(Filter.In.class, Filter.in("a", "b")),
        Map.entry(Filter.Range.class, Filter.range("a", 1, 2)),
        Map.entry(Filter.Exists.class, Filter.exists("a")),
        Map.entry(Filter.And.class, Filter.allOf(Filter.exists("a"))),
        Map.entry(Filter.Or.class, Filter.anyOf(Filter.exists("a"))),
        Map.entry(Filter.Not.class, Filter.exists("a").not()),
        Map.entry(CollectionStats.class, collection.stats()),
        Map.entry(SearchExplanation.class, new SearchExplanation(List.of(), 0, 0)));
    if (samples.containsKey(type)) {
      return samples.get(type);
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return List.of();
    }
    if (Map.class.isAssignableFrom(type)) {
      return Map.of();
    }
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    if (type == int.class || type == long.class || type == short.class || type == byte.class) {
      return convert(type, 16);
    }
    if (type == float.class) {
      return 1f;
    }
    if (type == double.class) {
      return 1d;
    }
    if (type == boolean.class) {
      return true;
    }
    throw new AssertionError("no sample value for " + type + ": add one to ApiArgumentsTest");
  }

  private static Object convert(Class<?> type, int v) {
    if (type == long.class) {
      return (long) v;
    }
    if (type == short.class) {
      return (short) v;
    }
    if (type == byte.class) {
      return (byte) v;
    }
    return v;
  }

  @Test
  void everyReferenceParameterRefusesNullNamingIt() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Class<?> type : publicTypes()) {
      List<Executable> members = new ArrayList<>(List.of(type.getConstructors()));
      for (Method m : type.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
            && !(m.getName().equals("equals") && m.getParameterCount() == 1)
            // Java's own enum valueOf(String) throws NullPointerException by its contract.
            && !(type.isEnum() && m.getName().equals("valueOf"))) {
          members.add(m);
        }
      }
      for (Executable member : members) {
        Parameter[] params = member.getParameters();
        for (int i = 0; i < params.length; i++) {
          if (params[i].getType().isPrimitive()) {
            continue;
          }
          assertTrue(params[i].isNamePresent(), "compile with -parameters");
          String key = type.getName().substring("io.iqdb.".length()) + "#"
              + (member instanceof Constructor ? "<init>" : member.getName())
              + "#" + params[i].getName();
          Object[] args = new Object[params.length];
          for (int j = 0; j < params.length; j++) {
            args[j] = j == i ? null : sample(params[j].getType());
          }
          checked++;
          String problem = call(type, member, args, params[i].getName(), NULLABLE.contains(key));
          if (problem != null) {
            problems.add(key + ": " + problem);
          }
        }
      }
    }
    assertTrue(checked > 60, "checked only " + checked + " parameters");
    if (!problems.isEmpty()) {
      fail(problems.size() + " of " + checked + " parameters mishandle null:\n" + String.join("\n", problems));
    }
  }

  private String call(Class<?> type, Executable member, Object[] args, String param, boolean nullable) {
    try {
      if (member instanceof Constructor<?> c) {
        c.newInstance(args);
      } else {
        Method m = (Method) member;
        m.invoke(Modifier.isStatic(m.getModifiers()) ? null : instance(type), args);
      }
      return nullable ? null : "accepted null without an exception";
    } catch (InvocationTargetException e) {
      Throwable t = e.getCause();
      if (nullable) {
        return "documented to accept null, but threw " + t;
      }
      if (!(t instanceof InvalidArgumentException)) {
        return "threw " + t;
      }
      if (!t.getMessage().contains(param)) {
        return "message does not name '" + param + "': " + t.getMessage();
      }
      return null;
    } catch (ReflectiveOperationException e) {
      return "could not be called: " + e;
    }
  }
}
