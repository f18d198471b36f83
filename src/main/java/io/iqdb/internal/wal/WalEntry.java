package io.iqdb.internal.wal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One operation inside a logged batch. A batch ({@code List<WalEntry>}) is one WAL record and is
 * replayed all-or-nothing.
 *
 * <p>The arrays are not copied: a caller must not modify them after handing the entry to {@link
 * WriteAheadLog#append}, and a {@link WalReplayer} owns the arrays it is given. {@link #equals} and
 * {@link #hashCode} compare the array contents, so entries can be compared in tests.
 *
 * @param op the operation
 * @param id the record id; any string, stored as UTF-8
 * @param vector for {@link Op#UPSERT} the vector (never null, may be empty); null for {@link
 *     Op#DELETE}
 * @param payload for {@link Op#UPSERT} the opaque payload bytes, or null for none; null for {@link
 *     Op#DELETE}
 */
public record WalEntry(Op op, String id, float[] vector, byte[] payload) {

  /** The kind of an entry. The on-disk codes are fixed by {@link #code()}, never the ordinal. */
  public enum Op {
    /** Insert or replace the record {@code id}. */
    UPSERT(1),
    /** Delete the record {@code id}; deleting a missing id is not an error. */
    DELETE(2);

    private final byte code;

    Op(int code) {
      this.code = (byte) code;
    }

    /**
     * The byte that encodes this operation in a WAL record.
     *
     * @return the on-disk code
     */
    public byte code() {
      return code;
    }

    /**
     * The operation for an on-disk code.
     *
     * @param code the byte read from a record
     * @return the operation, or null if the code is unknown
     */
    static Op fromCode(byte code) {
      return switch (code) {
        case 1 -> UPSERT;
        case 2 -> DELETE;
        default -> null;
      };
    }
  }

  /**
   * Validates the fields.
   *
   * @param op the operation
   * @param id the record id
   * @param vector the vector (UPSERT only)
   * @param payload the payload (UPSERT only, nullable)
   */
  public WalEntry {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(id, "id");
    if (op == Op.UPSERT && vector == null) {
      throw new IllegalArgumentException("an UPSERT entry needs a vector; id=" + id);
    }
    if (op == Op.DELETE && (vector != null || payload != null)) {
      throw new IllegalArgumentException("a DELETE entry takes no vector and no payload; id=" + id);
    }
  }

  /**
   * An upsert entry.
   *
   * @param id the record id
   * @param vector the vector
   * @param payload the payload bytes, or null
   * @return the entry
   */
  public static WalEntry upsert(String id, float[] vector, byte[] payload) {
    return new WalEntry(Op.UPSERT, id, vector, payload);
  }

  /**
   * A delete entry.
   *
   * @param id the record id
   * @return the entry
   */
  public static WalEntry delete(String id) {
    return new WalEntry(Op.DELETE, id, null, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WalEntry e
        && op == e.op
        && id.equals(e.id)
        && Arrays.equals(vector, e.vector)
        && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, id, Arrays.hashCode(vector), Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "WalEntry["
        + op
        + " id="
        + id
        + (vector == null ? "" : " dim=" + vector.length)
        + (payload == null ? "" : " payloadBytes=" + payload.length)
        + "]";
  }
}
