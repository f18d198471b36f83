package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A {@link WalFileSystem} that runs every operation of another one, and of the channels it opens,
 * on a {@link WalIoThread}: an open {@link WriteAheadLog} goes through one, so that interrupting a
 * thread that appends or syncs cannot close the log's files (see {@link WalIoThread}). The channels
 * support what {@link WalFileSystem} promises the log uses: positional reads and writes, {@code
 * size}, {@code truncate}, {@code force} and {@code close}.
 */
final class IoThreadFileSystem implements WalFileSystem {

  private final WalFileSystem fs;
  private final WalIoThread io;

  IoThreadFileSystem(WalFileSystem fs, WalIoThread io) {
    this.fs = fs;
    this.io = io;
  }

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    return new IoThreadChannel(io.call(() -> fs.open(file, options)), io);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    io.run(() -> fs.deleteIfExists(file));
  }

  @Override
  public void atomicRename(Path source, Path target) throws IOException {
    io.run(() -> fs.atomicRename(source, target));
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return io.call(() -> fs.list(dir));
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    io.run(() -> fs.createDirectories(dir));
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    io.run(() -> fs.syncDirectory(dir)); // opens a channel on the directory: interruptible too
  }

  /** A channel whose operations run on the I/O thread. Not itself interruptible: it never blocks in I/O. */
  private static final class IoThreadChannel extends FileChannel {
    private final FileChannel channel;
    private final WalIoThread io;

    IoThreadChannel(FileChannel channel, WalIoThread io) {
      this.channel = channel;
      this.io = io;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return io.call(() -> channel.read(dst, position));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return io.call(() -> channel.write(src, position));
    }

    @Override
    public long size() throws IOException {
      return io.call(channel::size);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      io.run(() -> channel.truncate(size));
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      io.run(() -> channel.force(metaData));
    }

    @Override
    protected void implCloseChannel() throws IOException {
      io.run(channel::close);
    }

    private static UnsupportedOperationException positionalOnly() {
      return new UnsupportedOperationException("the write-ahead log uses positional I/O only");
    }

    @Override
    public int read(ByteBuffer dst) {
      throw positionalOnly();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
      throw positionalOnly();
    }

    @Override
    public int write(ByteBuffer src) {
      throw positionalOnly();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw positionalOnly();
    }

    @Override
    public long position() {
      throw positionalOnly();
    }

    @Override
    public FileChannel position(long newPosition) {
      throw positionalOnly();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw positionalOnly();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw positionalOnly();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw positionalOnly();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw positionalOnly();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw positionalOnly();
    }
  }
}
