package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * The channel {@link FaultInjectingWalFileSystem} hands out: delegates to a real channel, lets the
 * file system count, inject faults and record what a force made durable, and dies in a crash.
 */
final class FaultChannel extends FileChannel {
  final FaultInjectingWalFileSystem fs;
  final FileChannel delegate;
  final Path path;
  final FaultInjectingWalFileSystem.Inode inode;
  volatile boolean dead;

  FaultChannel(
      FaultInjectingWalFileSystem fs,
      FileChannel delegate,
      Path path,
      FaultInjectingWalFileSystem.Inode inode) {
    this.fs = fs;
    this.delegate = delegate;
    this.path = path;
    this.inode = inode;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    fs.beforeWrite(this, src, position);
    return delegate.write(src, position);
  }

  /** Writes the first {@code prefix} bytes of {@code src}, as a failing write may. */
  void writePrefix(ByteBuffer src, long position, int prefix) throws IOException {
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + prefix);
    while (part.hasRemaining()) {
      delegate.write(part, position + (prefix - part.remaining()));
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    long pos = delegate.position();
    int n = write(src, pos);
    delegate.position(pos + n);
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    fs.force(this, metaData);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    fs.checkAlive(this);
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    fs.checkAlive(this);
    return delegate.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    fs.checkAlive(this);
    return delegate.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    fs.checkAlive(this);
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    fs.checkAlive(this);
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    fs.checkAlive(this);
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    fs.checkAlive(this);
    delegate.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new UnsupportedOperationException();
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) {
    throw new UnsupportedOperationException();
  }

  @Override
  protected void implCloseChannel() throws IOException {
    fs.closed(this);
    if (!dead) {
      delegate.close();
    }
  }
}
