package io.iqdb;

/**
 * The root of every exception iQDB throws from its public API. Unchecked, and sealed: a caller can
 * switch over the subtypes below and act on each.
 *
 * <table>
 *   <caption>Exception types</caption>
 *   <tr><th>type</th><th>thrown when</th></tr>
 *   <tr><td>{@link InvalidArgumentException} and its subtypes</td><td>bad input; nothing was written</td></tr>
 *   <tr><td>{@link CollectionNotFoundException}</td><td>a collection name that does not exist</td></tr>
 *   <tr><td>{@link CollectionExistsException}</td><td>creating a collection that already exists</td></tr>
 *   <tr><td>{@link ClosedException}</td><td>any call on a closed database or dropped collection</td></tr>
 *   <tr><td>{@link LockedException}</td><td>the database is open in another process or handle</td></tr>
 *   <tr><td>{@link NotADatabaseException}</td><td>the directory exists, is not empty and is not an iQDB database</td></tr>
 *   <tr><td>{@link CorruptedException}</td><td>a file failed its checksum or structural checks; names the file</td></tr>
 *   <tr><td>{@link FormatVersionException}</td><td>a file was written by a format version this release cannot read</td></tr>
 *   <tr><td>{@link StorageException}</td><td>an I/O failure, a full disk, or a collection that refuses writes after one</td></tr>
 * </table>
 */
public abstract sealed class IqdbException extends RuntimeException
    permits InvalidArgumentException,
        CollectionNotFoundException,
        CollectionExistsException,
        ClosedException,
        LockedException,
        NotADatabaseException,
        CorruptedException,
        FormatVersionException,
        StorageException {

  /**
   * Creates an exception.
   *
   * @param message what went wrong, naming the bad value or file
   * @param cause the underlying cause, or {@code null}
   */
  protected IqdbException(String message, Throwable cause) {
    super(message, cause);
  }
}
