package io.iqdb.internal;

import io.iqdb.Payload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;

/**
 * The binary form of a {@link Payload}, stored in each document's {@code _payload} field and in
 * write-ahead-log records.
 *
 * <p>It carries the record's text too, if any, so that the text reaches the log in the same record
 * as the rest of the write (and survives a crash) without a change to the log's format.
 *
 * <p>Layout (Lucene {@code DataOutput} conventions: vInts, little-endian fixed-width numbers,
 * strings as vInt byte length + UTF-8): {@code vInt fieldCount}, then per field {@code string
 * name}, {@code byte tag} and the value: tag 1 string ({@code string}); 2 long ({@code long}); 3
 * double ({@code long} of {@link Double#doubleToRawLongBits}); 4 boolean ({@code byte} 0 or 1); 5
 * list of strings ({@code vInt count}, then each {@code string}). Then, only if the record has a
 * text, a text section: {@code byte} 0x54 ('T') and the text as a {@code string}; nothing may
 * follow it. Bytes written before texts existed have no section and decode unchanged (the empty
 * payload without text is the single byte 0). Tags are fixed forever; never derived from an enum
 * ordinal.
 */
public final class PayloadCodec {
  private static final byte STRING = 1;
  private static final byte LONG = 2;
  private static final byte DOUBLE = 3;
  private static final byte BOOLEAN = 4;
  private static final byte LIST = 5;
  /** Introduces the optional text section after the fields. */
  private static final byte TEXT = 'T';
  private static final byte[] EMPTY = {0};

  private PayloadCodec() {}

  /**
   * A decoded payload and text.
   *
   * @param payload the payload
   * @param text the text, or {@code null} if the record has none
   */
  public record Decoded(Payload payload, String text) {}

  /**
   * Encodes a payload without text.
   *
   * @param payload the payload
   * @return its bytes
   */
  public static byte[] encode(Payload payload) {
    return encode(payload, null);
  }

  /**
   * Encodes a payload and a text.
   *
   * @param payload the payload
   * @param text the text (well-formed UTF-16, checked by the caller), or {@code null} for none
   * @return their bytes
   */
  public static byte[] encode(Payload payload, String text) {
    if (payload.isEmpty() && text == null) {
      return EMPTY;
    }
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    try {
      out.writeVInt(payload.size());
      for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
        out.writeString(e.getKey());
        switch (e.getValue()) {
          case String s -> {
            out.writeByte(STRING);
            out.writeString(s);
          }
          case Long l -> {
            out.writeByte(LONG);
            out.writeLong(l);
          }
          case Double d -> {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits(d));
          }
          case Boolean b -> {
            out.writeByte(BOOLEAN);
            out.writeByte((byte) (b ? 1 : 0));
          }
          case List<?> list -> {
            out.writeByte(LIST);
            out.writeVInt(list.size());
            for (Object o : list) {
              out.writeString((String) o);
            }
          }
          default -> throw new AssertionError("unexpected payload value " + e.getValue());
        }
      }
      if (text != null) {
        out.writeByte(TEXT);
        out.writeString(text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: in-memory output
    }
    return out.toArrayCopy();
  }

  /**
   * Decodes a payload, checking (and dropping) the text.
   *
   * @param bytes the bytes
   * @param offset where they start
   * @param length how many there are
   * @return the payload
   * @throws IllegalArgumentException if the bytes are not a valid payload
   */
  public static Payload decode(byte[] bytes, int offset, int length) {
    return decodeWithText(bytes, offset, length).payload();
  }

  /**
   * Decodes a payload and its text.
   *
   * @param bytes the bytes
   * @param offset where they start
   * @param length how many there are
   * @return the payload and the text
   * @throws IllegalArgumentException if the bytes are not a valid payload
   */
  public static Decoded decodeWithText(byte[] bytes, int offset, int length) {
    try {
      return read(bytes, offset, length);
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("malformed payload bytes: " + e, e);
    }
  }

  private static Decoded read(byte[] bytes, int offset, int length) throws IOException {
    ByteArrayDataInput in = new ByteArrayDataInput(bytes, offset, length);
    Payload payload = readFields(in);
    String text = null;
    if (in.getPosition() != offset + length) {
      byte tag = in.readByte();
      if (tag != TEXT) {
        throw new IllegalArgumentException("bad section tag " + tag + " after the payload fields");
      }
      text = in.readString();
    }
    if (in.getPosition() != offset + length) {
      throw new IllegalArgumentException("trailing bytes after payload");
    }
    return new Decoded(payload, text);
  }

  private static Payload readFields(ByteArrayDataInput in) throws IOException {
    int n = in.readVInt();
    if (n == 0) {
      return Payload.empty();
    }
    if (n < 0 || n > Payload.MAX_FIELDS) {
      throw new IllegalArgumentException("bad payload field count " + n);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readString();
      byte tag = in.readByte();
      Object value =
          switch (tag) {
            case STRING -> in.readString();
            case LONG -> in.readLong();
            case DOUBLE -> Double.longBitsToDouble(in.readLong());
            case BOOLEAN -> in.readByte() != 0;
            case LIST -> {
              int count = in.readVInt();
              if (count < 0 || count > Payload.MAX_BYTES) {
                throw new IllegalArgumentException("bad payload list length " + count);
              }
              List<String> list = new ArrayList<>(count);
              for (int j = 0; j < count; j++) {
                list.add(in.readString());
              }
              yield list;
            }
            default -> throw new IllegalArgumentException("bad payload value tag " + tag);
          };
      map.put(name, value);
    }
    return Payload.of(map);
  }
}
