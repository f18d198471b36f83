/**
 * The iQDB database API: open a database, create collections, write and search vectors.
 *
 * <p>Entry points: {@link io.iqdb.Iqdb#open(java.nio.file.Path)}, {@link io.iqdb.Iqdb#openInMemory()}
 * and {@link io.iqdb.Iqdb#builder()}; a database holds {@link io.iqdb.VectorCollection}s, each
 * configured by a {@link io.iqdb.CollectionConfig}. Every error is an unchecked
 * {@link io.iqdb.IqdbException}.
 *
 * <h2>Compatibility</h2>
 *
 * <p>This package is iQDB's API (the only package module {@code io.iqdb} exports; the
 * {@code io.iqdb.internal} packages are not API). From one release to the next, incompatible
 * changes are made only where the changelog lists them, with a "Migrating" note; the build checks
 * this against the previous release's jars. Interfaces here are implemented by iQDB only:
 * {@link io.iqdb.Filter} and {@link io.iqdb.IndexSpec} are sealed, and
 * {@link io.iqdb.VectorCollection} is obtained from an {@link io.iqdb.Iqdb} (and {@link
 * io.iqdb.AsyncVectorCollection} from a collection's {@code async()}), not implemented by users, so
 * a later release may add methods to them.
 *
 * <h2>On-disk formats</h2>
 *
 * <p>A database written by a release opens in every later release (each format version keeps a
 * sample database that the tests open). The formats are specified where they are implemented:
 * <ul>
 *   <li>the vector formats of the Lucene index: the packages {@code io.iqdb.codecs},
 *       {@code io.iqdb.codecs.flat} and {@code io.iqdb.codecs.ivf} (module {@code io.iqdb.codecs},
 *       artifact {@code iqdb-codecs}, with its own Javadoc);
 *   <li>the write-ahead log: the package documentation of {@code io.iqdb.internal.wal}, in
 *       {@code io/iqdb/internal/wal/package-info.java} of this artifact's sources jar (it is not
 *       API, so it is not in this Javadoc);
 *   <li>the catalog ({@code catalog.iqdb}): the class documentation of
 *       {@code io.iqdb.internal.Catalog}, in {@code io/iqdb/internal/Catalog.java} of the sources
 *       jar.
 * </ul>
 */
package io.iqdb;
