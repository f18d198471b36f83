package io.iqdb.internal.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional read and write loops: a channel may transfer fewer bytes than asked. */
final class WalIo {

  private WalIo() {}

  static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new EOFException(
            "end of file at offset " + pos + " while reading " + dst.remaining() + " more bytes");
      }
      pos += n;
    }
  }

  static void writeFully(FileChannel channel, ByteBuffer src, long position) throws IOException {
    long pos = position;
    while (src.hasRemaining()) {
      pos += channel.write(src, pos);
    }
  }
}
