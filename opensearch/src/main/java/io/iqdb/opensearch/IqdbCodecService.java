package io.iqdb.opensearch;

import org.apache.lucene.codecs.Codec;
import org.opensearch.index.codec.CodecService;
import org.opensearch.index.codec.CodecServiceConfig;
import org.opensearch.index.mapper.MapperService;

/**
 * The codec service of an index created with {@code index.iqdb: true}: OpenSearch's codecs
 * ({@code default}, {@code best_compression}, ...), each wrapped so that {@code iqdb_vector} fields
 * are written with iQDB's formats.
 */
final class IqdbCodecService extends CodecService {
  private final MapperService mapperService;

  IqdbCodecService(CodecServiceConfig config) {
    super(config.getMapperService(), config.getIndexSettings(), config.getLogger(), config.getAdditionalCodecs());
    this.mapperService = config.getMapperService();
  }

  @Override
  public Codec codec(String name) {
    Codec codec = super.codec(name);
    if (!IqdbOpenSearchCodec.wraps(codec)) {
      throw new IllegalArgumentException(
          "index.codec [" + name + "] is not supported with index.iqdb: its codec is " + codec.getName()
              + ", iQDB reads back only " + IqdbOpenSearchCodec.WRAPPED_NAME + " segments; use default or"
              + " best_compression");
    }
    return new IqdbOpenSearchCodec(codec, mapperService);
  }
}
