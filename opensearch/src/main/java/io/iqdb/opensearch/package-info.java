/**
 * iQDB's vector formats inside OpenSearch: the {@code iqdb_vector} field type, the {@code iqdb_knn}
 * query and the codec that writes the field's segments. See the module's README.
 */
package io.iqdb.opensearch;
