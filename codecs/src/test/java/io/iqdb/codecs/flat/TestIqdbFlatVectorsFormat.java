package io.iqdb.codecs.flat;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Lucene's vector format conformance suite, unmodified, for {@code new IqdbFlatVectorsFormat()}.
 */
public class TestIqdbFlatVectorsFormat extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(new IqdbFlatVectorsFormat());
  }

  /** Raw vectors are always kept, so there is no fallback to dequantized vectors to test. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  @Override
  protected int getQuantizationBits() {
    return 8;
  }
}
