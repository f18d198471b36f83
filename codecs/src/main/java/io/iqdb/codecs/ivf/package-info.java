/**
 * iQDB's inverted-file (IVF) vector format, {@link io.iqdb.codecs.ivf.IvfVectorsFormat}, and its
 * per-query knobs, {@link io.iqdb.codecs.ivf.IvfSearchStrategy}.
 *
 * <p>The byte layout of every file is specified in {@link io.iqdb.codecs.ivf.IvfVectorsFormat}. All
 * numbers are little-endian; every file has a {@code CodecUtil} index header and a CRC32 footer,
 * verified by {@code checkIntegrity()}.
 *
 * <table>
 * <caption>Files of one segment</caption>
 * <tr><th>extension</th><th>header codec name</th><th>content</th></tr>
 * <tr><td>{@code .vec}, {@code .vemf}</td><td>(Lucene99FlatVectorsFormat)</td>
 *     <td>raw vectors and their metadata</td></tr>
 * <tr><td>{@code .ivm}</td><td>{@code IqdbIvfMeta}</td>
 *     <td>per field: similarity, dimension, count, code bits, centroids, list sizes; recall
 *     curves</td></tr>
 * <tr><td>{@code .ivl}</td><td>{@code IqdbIvfLists}</td>
 *     <td>posting lists: ordinals, corrective terms, residual codes</td></tr>
 * </table>
 *
 * <table>
 * <caption>Version history</caption>
 * <tr><th>SPI name</th><th>file version</th><th>change</th></tr>
 * <tr><td>{@code IqdbIvf100}</td><td>0</td><td>first version</td></tr>
 * <tr><td>{@code IqdbIvf100}</td><td>1</td><td>{@code .ivm} ends with the recall curves
 *     (probe count to recall@10, measured when the segment is written); version 0 is still read
 *     (default probe count)</td></tr>
 * </table>
 */
package io.iqdb.codecs.ivf;
