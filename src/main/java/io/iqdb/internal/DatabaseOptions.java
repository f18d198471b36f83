package io.iqdb.internal;

import io.iqdb.Durability;
import java.nio.file.Path;

/**
 * Options of an open database, from {@code Iqdb.Builder}.
 *
 * @param path the directory, or {@code null} in memory
 * @param durability the default durability of collections
 * @param createIfMissing whether to create a missing database
 * @param ramBufferMb the indexing buffer per collection in MiB
 */
public record DatabaseOptions(Path path, Durability durability, boolean createIfMissing, double ramBufferMb) {}
