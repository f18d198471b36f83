package io.iqdb.bench.jmh;

import io.iqdb.internal.wal.WalFileSystem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The operating system's write-ahead-log files, with every fsync ({@link FileChannel#force})
 * waiting {@code delay} before the real one: a stand-in for a disk slower to flush than the one
 * the benchmark runs on (a consumer SSD's cache flush takes 0.5 to 2 ms). Installed through the
 * core's fault-injection hook, {@code Iqdb.Builder.faultHooks}.
 */
final class SlowFsyncWalFileSystem implements WalFileSystem {
  private final WalFileSystem delegate = WalFileSystem.defaultFileSystem();
  private final Duration delay;

  SlowFsyncWalFileSystem(Duration delay) {
    this.delay = delay;
  }

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    return new SlowForceChannel(delegate.open(file, options), delay);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    delegate.deleteIfExists(file);
  }

  @Override
  public void atomicRename(Path source, Path target) throws IOException {
    delegate.atomicRename(source, target);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  /** A channel that forwards every call and sleeps before each force. */
  private static final class SlowForceChannel extends FileChannel {
    private final FileChannel in;
    private final Duration delay;

    SlowForceChannel(FileChannel in, Duration delay) {
      this.in = in;
      this.delay = delay;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted before an fsync");
      }
      in.force(metaData);
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
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return in.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
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
