/**
 * iQDB's exact (flat) vector formats: {@link io.iqdb.codecs.flat.IqdbFlatVectorsFormat} over
 * float32 vectors and {@link io.iqdb.codecs.flat.IqdbQuantizedFlatVectorsFormat} over scalar
 * quantized codes with full-precision rescoring.
 *
 * <p>Neither format writes files of its own: they reuse Lucene's flat storage and differ from it in
 * search, which scores every accepted vector instead of returning nothing. The quantized files are
 * written by {@link io.iqdb.codecs.flat.QuantizedVectorsFormat}'s writer (byte for byte what Lucene's
 * writer writes, except the centroid of a COSINE segment whose directions cancel out, where Lucene's
 * writer fails), so no version changed.
 *
 * <table>
 * <caption>Formats and files</caption>
 * <tr><th>SPI name</th><th>files</th><th>version history</th></tr>
 * <tr><td>{@code IqdbFlat100}</td><td>{@code .vec}, {@code .vemf} (Lucene99FlatVectorsFormat)</td>
 *     <td>100: first version</td></tr>
 * <tr><td>{@code IqdbFlatQuantized100}</td><td>{@code .vec}, {@code .vemf}, {@code .veq},
 *     {@code .vemq} (Lucene104ScalarQuantizedVectorsFormat)</td><td>100: first version</td></tr>
 * </table>
 */
package io.iqdb.codecs.flat;
