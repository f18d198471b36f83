package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.iqdb.Payload;
import org.junit.jupiter.api.Test;

/** The payload bytes with and without the text section. */
class PayloadCodecTest {

  @Test
  void withoutTextTheBytesAreThoseWrittenBeforeTextsExisted() {
    assertArrayEquals(new byte[] {0}, PayloadCodec.encode(Payload.empty(), null));
    // 1 field, name "a", tag 1 (string), "b"
    byte[] old = {1, 1, 'a', 1, 1, 'b'};
    assertArrayEquals(old, PayloadCodec.encode(Payload.of("a", "b"), null));
    PayloadCodec.Decoded d = PayloadCodec.decodeWithText(old, 0, old.length);
    assertEquals(Payload.of("a", "b"), d.payload());
    assertNull(d.text());
  }

  @Test
  void textSectionFollowsTheFields() {
    byte[] bytes = PayloadCodec.encode(Payload.of("a", "b"), "hé");
    assertArrayEquals(new byte[] {1, 1, 'a', 1, 1, 'b', 'T', 3, 'h', (byte) 0xC3, (byte) 0xA9}, bytes);
    assertEquals(new PayloadCodec.Decoded(Payload.of("a", "b"), "hé"), PayloadCodec.decodeWithText(bytes, 0, bytes.length));
    assertEquals(Payload.of("a", "b"), PayloadCodec.decode(bytes, 0, bytes.length));
    byte[] emptyPayload = PayloadCodec.encode(Payload.empty(), "");
    assertArrayEquals(new byte[] {0, 'T', 0}, emptyPayload);
    assertEquals(new PayloadCodec.Decoded(Payload.empty(), ""), PayloadCodec.decodeWithText(emptyPayload, 0, 3));
  }

  @Test
  void malformedSectionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> PayloadCodec.decode(new byte[] {0, 'X', 0}, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> PayloadCodec.decode(new byte[] {0, 'T', 0, 0}, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> PayloadCodec.decode(new byte[] {0, 'T', 5, 'a'}, 0, 4));
  }
}
