package io.iqdb.codecs;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Lucene's vector format conformance suite, unmodified, for the HNSW format the factory returns
 * with {@code bits=4} (Lucene's format behind a 4096-dimension limit).
 */
public class TestIqdbHnswVectorsFormat4Bits extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(IqdbVectorFormats.hnsw(16, 100, 4));
  }

  /** iQDB always keeps raw vectors; the fallback to dequantized vectors is Lucene's to test. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  @Override
  protected int getQuantizationBits() {
    return 4;
  }
}
