package io.iqdb.springai.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.springai.IqdbVectorStore;
import io.iqdb.springai.MiniLmEmbeddingModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Spring Boot auto-configuration, through Boot's {@link ApplicationContextRunner}. */
class IqdbVectorStoreAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(IqdbVectorStoreAutoConfiguration.class))
      .withBean(EmbeddingModel.class, () -> MiniLmEmbeddingModel.INSTANCE);

  @Test
  void storeOnADirectoryThatTheContextCloses(@TempDir Path tmp) {
    Path path = tmp.resolve("boot.iqdb");
    AtomicReference<Iqdb> db = new AtomicReference<>();
    runner.withPropertyValues("spring.ai.vectorstore.iqdb.path=" + path,
            "spring.ai.vectorstore.iqdb.collection-name=boot_docs",
            "spring.ai.vectorstore.iqdb.metric=L2",
            "spring.ai.vectorstore.iqdb.index=flat")
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(IqdbVectorStore.class);
          VectorStore store = ctx.getBean(VectorStore.class);
          store.add(List.of(new Document("configured by Spring Boot", Map.of("year", 2026))));
          assertThat(store.similaritySearch("Spring Boot")).extracting(Document::getText)
              .containsExactly("configured by Spring Boot");
          Iqdb iqdb = ctx.getBean(Iqdb.class);
          db.set(iqdb);
          assertThat(iqdb.path()).contains(path);
          var config = iqdb.collection("boot_docs").config();
          assertThat(config.metric()).isEqualTo(Metric.L2);
          assertThat(config.index()).isEqualTo(IndexSpec.flat());
          assertThat(config.dimension()).isEqualTo(384);
        });
    assertThat(db.get().isClosed()).isTrue();
    try (Iqdb reopened = Iqdb.open(path)) {
      assertThat(reopened.collection("boot_docs").count()).isEqualTo(1);
    }
  }

  @Test
  void inMemoryWithoutAPath() {
    runner.run(ctx -> {
      assertThat(ctx.getBean(Iqdb.class).path()).isEmpty();
      assertThat(ctx.getBean(IqdbVectorStore.class).collection().name())
          .isEqualTo(IqdbVectorStore.DEFAULT_COLLECTION);
    });
  }

  @Test
  void usesTheApplicationsIqdb() {
    runner.withBean(Iqdb.class, Iqdb::openInMemory).run(ctx -> {
      assertThat(ctx).hasSingleBean(Iqdb.class);
      assertThat(ctx.getBean(IqdbVectorStore.class).collection())
          .isSameAs(ctx.getBean(Iqdb.class).collection(IqdbVectorStore.DEFAULT_COLLECTION));
    });
  }

  @Test
  void backsOffForAnotherStoreType() {
    runner.withPropertyValues("spring.ai.vectorstore.type=pgvector")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(IqdbVectorStore.class).doesNotHaveBean(Iqdb.class));
  }

  @Test
  void backsOffForAVectorStoreOfTheApplication() {
    runner.withBean(VectorStore.class, () -> SimpleVectorStore.builder(MiniLmEmbeddingModel.INSTANCE).build())
        .run(ctx -> assertThat(ctx).doesNotHaveBean(IqdbVectorStore.class).hasSingleBean(VectorStore.class));
  }
}
