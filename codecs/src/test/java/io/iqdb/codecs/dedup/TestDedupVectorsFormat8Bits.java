package io.iqdb.codecs.dedup;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;
import org.apache.lucene.tests.index.BaseKnnVectorsFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/** Lucene's vector format conformance suite, unmodified, for the dedup format over 8-bit scalar-quantized HNSW. */
public class TestDedupVectorsFormat8Bits extends BaseKnnVectorsFormatTestCase {

  @Override
  protected Codec getCodec() {
    return TestUtil.alwaysKnnVectorsFormat(
        new DedupVectorsFormat(new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.UNSIGNED_BYTE, 16, 100)));
  }

  /** Raw vectors are always kept; the fallback to dequantized vectors is Lucene's to test. */
  @Override
  protected boolean supportsFloatVectorFallback() {
    return false;
  }

  @Override
  protected int getQuantizationBits() {
    return 8;
  }
}
