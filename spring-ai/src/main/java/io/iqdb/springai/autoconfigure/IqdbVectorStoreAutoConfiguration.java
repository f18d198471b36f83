package io.iqdb.springai.autoconfigure;

import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.springai.IqdbVectorStore;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.vectorstore.SpringAIVectorStoreTypes;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationConvention;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of an {@link IqdbVectorStore} (and of its {@link Iqdb} database
 * unless the application defines one) when no other {@link VectorStore} is defined and {@code
 * spring.ai.vectorstore.type} is unset or {@code iqdb}. Like Spring AI's own store
 * auto-configurations, it needs an {@link EmbeddingModel} bean. Settings: {@link
 * IqdbVectorStoreProperties}.
 */
@AutoConfiguration
@ConditionalOnClass({IqdbVectorStore.class, Iqdb.class, EmbeddingModel.class})
@ConditionalOnProperty(name = SpringAIVectorStoreTypes.TYPE, havingValue = IqdbVectorStoreAutoConfiguration.TYPE,
    matchIfMissing = true)
@EnableConfigurationProperties(IqdbVectorStoreProperties.class)
public class IqdbVectorStoreAutoConfiguration {

  /** The value of {@code spring.ai.vectorstore.type} that selects this store. */
  public static final String TYPE = "iqdb";

  private static final Log log = LogFactory.getLog(IqdbVectorStoreAutoConfiguration.class);

  /** Created by Spring. */
  public IqdbVectorStoreAutoConfiguration() {}

  /**
   * The database: opened at {@code spring.ai.vectorstore.iqdb.path}, or in memory when no path is
   * set. Closed with the application context.
   *
   * @param properties the settings
   * @return the open database
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Iqdb iqdb(IqdbVectorStoreProperties properties) {
    if (properties.getPath() == null) {
      log.warn("spring.ai.vectorstore.iqdb.path is not set: the iQDB vector store is held in memory and"
          + " lost when the application stops");
      return Iqdb.openInMemory();
    }
    return Iqdb.open(properties.getPath());
  }

  /**
   * The batching strategy for embedding documents, unless the application defines one.
   *
   * @return Spring AI's token-count strategy
   */
  @Bean
  @ConditionalOnMissingBean(BatchingStrategy.class)
  public BatchingStrategy iqdbBatchingStrategy() {
    return new TokenCountBatchingStrategy();
  }

  /**
   * The vector store.
   *
   * @param iqdb the database
   * @param embeddingModel the embedding model
   * @param properties the settings
   * @param batchingStrategy the batching strategy
   * @param observationRegistry the observation registry, if any
   * @param convention a custom observation convention, if any
   * @return the store
   */
  @Bean
  @ConditionalOnMissingBean(VectorStore.class)
  public IqdbVectorStore vectorStore(
      Iqdb iqdb,
      EmbeddingModel embeddingModel,
      IqdbVectorStoreProperties properties,
      BatchingStrategy batchingStrategy,
      ObjectProvider<ObservationRegistry> observationRegistry,
      ObjectProvider<VectorStoreObservationConvention> convention) {
    IqdbVectorStore.Builder builder = IqdbVectorStore.builder(iqdb, embeddingModel)
        .collectionName(properties.getCollectionName())
        .metric(properties.getMetric())
        .index(switch (properties.getIndex()) {
          case FLAT -> IndexSpec.flat();
          case HNSW -> IndexSpec.hnsw();
          case IVF -> IndexSpec.ivf();
        })
        .dimensions(properties.getDimensions())
        .contentFieldName(properties.getContentFieldName())
        .batchingStrategy(batchingStrategy)
        .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
    convention.ifAvailable(builder::customObservationConvention);
    return builder.build();
  }
}
