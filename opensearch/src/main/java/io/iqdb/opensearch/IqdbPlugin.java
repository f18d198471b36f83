package io.iqdb.opensearch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.CodecServiceFactory;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;

/**
 * The iQDB plugin for OpenSearch: the {@code iqdb_vector} field ({@link IqdbVectorFieldMapper}),
 * the {@code iqdb_knn} query ({@link IqdbKnnQueryBuilder}), and, for an index created with {@code
 * index.iqdb: true}, a codec that writes those fields with iQDB's formats.
 *
 * <p>The codec is opt-in per index because its segments carry iQDB's codec name: an index written
 * with it needs the plugin to be read, so no index depends on the plugin unless asked.
 */
public final class IqdbPlugin extends Plugin implements MapperPlugin, SearchPlugin, EnginePlugin {

  /** {@code index.iqdb}: whether the index's segments are written by iQDB's codec (default false). */
  public static final Setting<Boolean> INDEX_IQDB =
      Setting.boolSetting("index.iqdb", false, Property.IndexScope, Property.Final);

  /** Creates the plugin; OpenSearch calls this once per node. */
  public IqdbPlugin() {}

  @Override
  public List<Setting<?>> getSettings() {
    return List.of(INDEX_IQDB);
  }

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(IqdbVectorFieldMapper.CONTENT_TYPE, IqdbVectorFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(
        new QuerySpec<>(IqdbKnnQueryBuilder.NAME, IqdbKnnQueryBuilder::new, IqdbKnnQueryBuilder::fromXContent));
  }

  @Override
  public Optional<CodecServiceFactory> getCustomCodecServiceFactory(IndexSettings indexSettings) {
    if (!INDEX_IQDB.get(indexSettings.getSettings())) {
      return Optional.empty();
    }
    return Optional.of(IqdbCodecService::new);
  }
}
