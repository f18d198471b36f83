/**
 * A vector format that gives the inner (HNSW) graph one node per distinct vector of a segment,
 * {@link io.iqdb.codecs.dedup.DedupVectorsFormat}: exact duplicate vectors, frequent in real corpora
 * (licence text, boilerplate, repeated titles), otherwise form clusters of zero-distance nodes
 * that Lucene's HNSW connects poorly.
 *
 * <p>The byte layout of the mapping file is specified in {@link
 * io.iqdb.codecs.dedup.DedupVectorsFormat}. Numbers are little-endian; the file has a {@code
 * CodecUtil} index header and a CRC32 footer, verified when the segment opens and by {@code
 * checkIntegrity()}.
 *
 * <table>
 * <caption>Files of one segment</caption>
 * <tr><th>extension</th><th>header codec name</th><th>content</th></tr>
 * <tr><td>the inner format's ({@code .vec}, {@code .vemf}, {@code .vex}, {@code .vem}; plus
 *     {@code .veq}, {@code .vemq} when quantized)</td><td>(the inner format's)</td>
 *     <td>the distinct vectors as documents {@code 0..distinct-1}, and their graph</td></tr>
 * <tr><td>{@code .vdup}</td><td>{@code IqdbDedupMap}</td>
 *     <td>the inner format's SPI name; per field: documents, distinct vectors, each
 *     document's ordinal and the recall curve</td></tr>
 * </table>
 *
 * <table>
 * <caption>Version history</caption>
 * <tr><th>SPI name</th><th>file version</th><th>change</th></tr>
 * <tr><td>{@code IqdbDedup100}</td><td>0</td><td>first version</td></tr>
 * <tr><td>{@code IqdbDedup100}</td><td>1</td><td>each float field's recall curve ({@code ef} to
 *     recall@10, measured when the segment is written) after its mapping; version 0 is still
 *     read (no curve)</td></tr>
 * </table>
 */
package io.iqdb.codecs.dedup;
