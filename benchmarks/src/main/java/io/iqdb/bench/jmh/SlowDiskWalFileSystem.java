package io.iqdb.bench.jmh;

import io.iqdb.internal.wal.WalFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The real file system, except that every fsync of a write-ahead log file takes {@code delay}
 * longer: a stand-in for a disk whose cache flush is slower than this machine's (a consumer SSD
 * flushes in about 0.5 to 2 ms, a virtual disk backed by host memory in about 0.1 ms). Only for
 * benchmarks of group commit: the fsyncs still happen, and the added time overlaps nothing.
 */
final class SlowDiskWalFileSystem implements WalFileSystem {
  private final WalFileSystem real = WalFileSystem.defaultFileSystem();
  private final long delayNanos;

  SlowDiskWalFileSystem(long delayNanos) {
    this.delayNanos = delayNanos;
  }

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    return new SlowForceChannel(real.open(file, options), delayNanos);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    real.deleteIfExists(file);
  }

  @Override
  public void atomicRename(Path source, Path target) throws IOException {
    real.atomicRename(source, target);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return real.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    real.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    real.syncDirectory(dir);
  }

  /** Delegates everything; {@code force} sleeps after the real one. */
  private static final class SlowForceChannel extends FileChannel {
    private final FileChannel in;
    private final long delayNanos;

    SlowForceChannel(FileChannel in, long delayNanos) {
      this.in = in;
      this.delayNanos = delayNanos;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      in.force(metaData);
      long end = System.nanoTime() + delayNanos;
      for (long left = delayNanos; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return in.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return in.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return in.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return in.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return in.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      in.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return in.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      in.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return in.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return in.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return in.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return in.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return in.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return in.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return in.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      in.close();
    }
  }
}
