package io.iqdb.codecs;

import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;

/**
 * A vector reader whose segments measured, when they were written, the search parameter that
 * reaches a recall (see {@link RecallCalibrator}): iQDB's HNSW ({@code ef}) and IVF ({@code
 * probes}) readers. Segments written before calibration existed have no curve.
 */
public interface Calibrated {

  /**
   * The recall curve of a field in this segment.
   *
   * @param field the vector field
   * @return the curve, or null if the segment has none for the field (written before calibration,
   *     not a float field, or no vectors)
   */
  RecallCurve recallCurve(String field);

  /**
   * The calibrated parameter of a field for a target recall: {@code ef} for HNSW, {@code probes}
   * for IVF, as measured for k = {@value RecallCalibrator#K}.
   *
   * @param field the vector field
   * @param targetRecall the recall wanted, in (0, 1]
   * @return the parameter, or -1 if the segment has no curve for the field
   */
  default int calibrated(String field, double targetRecall) {
    RecallCurve curve = recallCurve(field);
    return curve == null ? -1 : curve.parameterFor(targetRecall);
  }

  /**
   * The recall curve a segment stores for a field, looking through Lucene's per-field format and
   * filter readers.
   *
   * @param reader a segment's reader
   * @param field the vector field
   * @return the curve, or null if the segment's format is not calibrated or has no curve for it
   */
  static RecallCurve of(LeafReader reader, String field) {
    LeafReader unwrapped = FilterLeafReader.unwrap(reader);
    if (!(unwrapped instanceof CodecReader codecReader)) {
      return null;
    }
    KnnVectorsReader vectors = codecReader.getVectorReader();
    if (vectors instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
      vectors = perField.getFieldReader(field);
    }
    return vectors instanceof Calibrated calibrated ? calibrated.recallCurve(field) : null;
  }
}
