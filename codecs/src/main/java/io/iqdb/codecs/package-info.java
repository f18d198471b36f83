/**
 * The iQDB Lucene codec and its vector formats.
 *
 * <p>{@link io.iqdb.codecs.IqdbCodec} is Lucene's current codec with the vector format chosen per
 * field; {@link io.iqdb.codecs.IqdbVectorFormats} builds the formats iQDB offers:
 *
 * <table>
 * <caption>Vector formats</caption>
 * <tr><th>kind</th><th>float32 (bits 32)</th><th>quantized (bits 8, 7, 4, 1)</th></tr>
 * <tr><td>flat (exact)</td><td>{@code IqdbFlat100}</td>
 *     <td>{@code IqdbFlatQuantized100}, rescored at full precision</td></tr>
 * <tr><td>IVF</td><td colspan="2">{@code IqdbIvf100} (see {@link io.iqdb.codecs.ivf})</td></tr>
 * <tr><td>HNSW</td><td>{@code IqdbDedup100} over Lucene's {@code Lucene99HnswVectorsFormat}</td>
 *     <td>{@code IqdbDedup100} over Lucene's {@code Lucene104HnswScalarQuantizedVectorsFormat}</td></tr>
 * </table>
 *
 * <p>The quantized flat and HNSW formats write Lucene's scalar-quantized files with iQDB's writer,
 * {@link io.iqdb.codecs.flat.QuantizedVectorsFormat}: the same files, read by Lucene's reader, but a
 * COSINE segment whose vectors' directions cancel out gets a valid centroid instead of failing the
 * flush or merge as Lucene 10.6's writer does.
 *
 * <p>Every format accepts up to {@link io.iqdb.codecs.IqdbCodec#MAX_DIMENSIONS} dimensions and
 * keeps the raw float vectors, so {@code getFloatVectorValues} returns what was written.
 *
 * <p>File formats: each package documents the files its formats write and their version history,
 * {@link io.iqdb.codecs.flat} (Lucene's flat files, no files of its own),
 * {@link io.iqdb.codecs.dedup} (Lucene's HNSW files over distinct vectors plus a document-to-vector
 * mapping; segments written before it carry Lucene's HNSW format name and are read by Lucene) and
 * {@link io.iqdb.codecs.ivf}, whose byte layout is specified in
 * {@link io.iqdb.codecs.ivf.IvfVectorsFormat}. The codec itself, SPI name {@code Iqdb100}, adds no
 * files to Lucene's codec. A change to a file format bumps its version in the table of its package,
 * keeps reading the earlier versions, and adds a sample database to the core's compatibility test.
 *
 * <p>Calibration: the HNSW ({@code IqdbDedup100}) and IVF formats measure, when a segment is
 * flushed or merged, the recall@10 their search reaches for increasing {@code ef} or probe counts
 * ({@link io.iqdb.codecs.RecallCalibrator}) and store the curve in their metadata ({@link
 * io.iqdb.codecs.RecallCurve}); their readers implement {@link io.iqdb.codecs.Calibrated}, and a
 * query can ask for a recall instead of a parameter ({@link
 * io.iqdb.codecs.dedup.TargetRecallStrategy}, {@link io.iqdb.codecs.ivf.IvfSearchStrategy}).
 *
 * <p>This module owns its limits and defaults, and the database refers to them rather than copying
 * them: {@link io.iqdb.codecs.IqdbCodec#MAX_DIMENSIONS}, the HNSW and IVF parameter ranges in
 * {@link io.iqdb.codecs.IqdbVectorFormats}, and the default oversampling of every quantized format
 * in {@link io.iqdb.codecs.Oversampling}.
 */
package io.iqdb.codecs;
