package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WalFileSystem} for tests, in the spirit of SQLite's crash-test VFS: it wraps a real file
 * system, counts operations, injects I/O errors and simulates a power loss.
 *
 * <p><b>Durability model.</b> For every file it remembers the content as of the last {@code force}
 * (the bytes that were in the file when the force began), and for every directory the names as of
 * the last {@link #syncDirectory}. {@link #crash} kills every open channel and rewrites the files
 * on disk to a state a power loss could leave: a name created, renamed or deleted since its
 * directory's last fsync may come back in either state, and the bytes of a file written since its
 * last force are dropped, kept, torn (a prefix kept), garbled (random bytes) or written with holes
 * (zeroed 512-byte sectors, as out-of-order writeback leaves them), chosen per file from a seeded
 * {@link Random}. Bytes that were forced are never touched.
 *
 * <p><b>Faults.</b> {@link #failWriteAfter}, {@link #failForceAfter}, {@link #failOpenAfter} and
 * {@link #failDirectorySyncAfter} make the n-th such call from now throw (a failing write first
 * writes a random prefix, as a real one may); {@link #failRandomly} makes every write, force and
 * open fail with a probability; {@link #setFreeSpace} simulates a full disk (writes past the budget
 * write what fits and throw) until space is freed; {@link #setForceDelay} makes fsyncs slow, as on
 * a real disk.
 *
 * <p>Meant to be reused by the recovery tests: it depends only on the WAL's {@link WalFileSystem}.
 */
public final class FaultInjectingWalFileSystem implements WalFileSystem {

  /** What {@link #crash} does to the bytes of a file that were written but not forced. */
  public enum CrashMode {
    /** Lose all of them. */
    DROP,
    /** Keep all of them (as after a killed process). */
    KEEP,
    /** Keep a random prefix. */
    TEAR,
    /** Keep a random prefix with some bytes replaced by random ones. */
    GARBLE,
    /** Keep a random prefix with some 512-byte sectors zeroed. */
    HOLES
  }

  /** A file's identity, which survives renames; holds what its last force made durable. */
  static final class Inode {
    byte[] durable;

    Inode(byte[] durable) {
      this.durable = durable;
    }
  }

  private final WalFileSystem delegate;
  private final Random random;
  private final boolean trackDurability;
  private final Object lock = new Object();
  private final Map<Path, Inode> names = new HashMap<>();
  private final Map<Path, Inode> durableNames = new HashMap<>();
  private final Set<FaultChannel> openChannels = new HashSet<>();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong opens = new AtomicLong();
  private final AtomicLong dirSyncs = new AtomicLong();
  private volatile long failWriteAt = -1;
  private volatile long failForceAt = -1;
  private volatile long failOpenAt = -1;
  private volatile long failDirSyncAt = -1;
  private volatile double failureRate;
  private volatile long forceDelayNanos;
  private long freeSpace = Long.MAX_VALUE;
  private volatile boolean down;
  private volatile boolean realFsync = true;

  /**
   * A fault file system over the default one, tracking durability.
   *
   * @param random the source of every random choice (seed it from the test's seed)
   */
  public FaultInjectingWalFileSystem(Random random) {
    this(WalFileSystem.defaultFileSystem(), random, true);
  }

  /**
   * A fault file system.
   *
   * @param delegate the real file layer
   * @param random the source of every random choice
   * @param trackDurability false to only count and inject faults (cheaper; {@link #crash} is then
   *     unsupported)
   */
  public FaultInjectingWalFileSystem(
      WalFileSystem delegate, Random random, boolean trackDurability) {
    this.delegate = delegate;
    this.random = random;
    this.trackDurability = trackDurability;
  }

  // ---- counters and fault knobs

  /** Channel writes so far. @return the count */
  public long writeCount() {
    return writes.get();
  }

  /** Channel forces (fsyncs of files) so far. @return the count */
  public long forceCount() {
    return forces.get();
  }

  /** Opens so far. @return the count */
  public long openCount() {
    return opens.get();
  }

  /** Directory fsyncs so far. @return the count */
  public long syncDirectoryCount() {
    return dirSyncs.get();
  }

  /**
   * The {@code n}-th write from now (1 = the next) throws, after writing a random prefix. @param n
   * the distance
   */
  public void failWriteAfter(long n) {
    failWriteAt = writes.get() + n;
  }

  /** The {@code n}-th channel force from now throws. @param n the distance */
  public void failForceAfter(long n) {
    failForceAt = forces.get() + n;
  }

  /** The {@code n}-th open from now throws. @param n the distance */
  public void failOpenAfter(long n) {
    failOpenAt = opens.get() + n;
  }

  /** The {@code n}-th directory fsync from now throws. @param n the distance */
  public void failDirectorySyncAfter(long n) {
    failDirSyncAt = dirSyncs.get() + n;
  }

  /**
   * Every write, force and open fails with this probability (0 to stop). @param rate the
   * probability
   */
  public void failRandomly(double rate) {
    failureRate = rate;
  }

  /** Cancels every scheduled and random failure (not the free-space limit). */
  public void clearFailures() {
    failWriteAt = failForceAt = failOpenAt = failDirSyncAt = -1;
    failureRate = 0;
  }

  /**
   * Bytes that can still be written; {@link Long#MAX_VALUE} for no limit. @param bytes the budget
   */
  public void setFreeSpace(long bytes) {
    synchronized (lock) {
      freeSpace = bytes;
    }
  }

  /**
   * Whether forces and directory fsyncs reach the real disk (default true). Tests that judge
   * durability by {@link #crash} alone can turn this off to run faster; the model is unaffected.
   *
   * @param enabled false to skip the real fsyncs
   */
  public void setRealFsync(boolean enabled) {
    realFsync = enabled;
  }

  /** Makes every channel force sleep first, like a real disk. @param delay the delay */
  public void setForceDelay(Duration delay) {
    forceDelayNanos = delay.toNanos();
  }

  /**
   * The content of a file as of its last force, or null if the file is unknown.
   *
   * @param file the file
   * @return a copy of the durable bytes
   */
  public byte[] durableContent(Path file) {
    synchronized (lock) {
      Inode inode = names.get(key(file));
      return inode == null ? null : inode.durable.clone();
    }
  }

  private boolean randomFailure() {
    double rate = failureRate;
    if (rate <= 0) {
      return false;
    }
    synchronized (random) {
      return random.nextDouble() < rate;
    }
  }

  private int randomInt(int bound) {
    synchronized (random) {
      return random.nextInt(bound);
    }
  }

  private void checkUp(Object what) throws IOException {
    if (down) {
      throw new IOException(
          "simulated power loss: the file system is down until restart(); " + what);
    }
  }

  /**
   * Brings the file system back after {@link #crash}: until then every operation throws, so that
   * the abandoned "process" (its log, its threads, its {@code close()}) cannot write anything.
   */
  public void restart() {
    down = false;
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  // ---- WalFileSystem

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    checkUp(file);
    long n = opens.incrementAndGet();
    if (n == failOpenAt || randomFailure()) {
      throw new IOException("injected open failure #" + n + ": " + file);
    }
    synchronized (lock) {
      Path key = key(file);
      Inode inode = names.get(key);
      if (inode == null && Files.exists(file)) {
        // Created outside this layer: assume it is durable.
        inode = new Inode(trackDurability ? Files.readAllBytes(file) : new byte[0]);
        names.put(key, inode);
        durableNames.put(key, inode);
      }
      // Always readable: a force reads back what it made durable.
      Set<OpenOption> readable = new HashSet<>(options);
      readable.add(java.nio.file.StandardOpenOption.READ);
      FileChannel channel = delegate.open(file, readable);
      if (inode == null) {
        inode = new Inode(new byte[0]);
        names.put(key, inode);
      }
      FaultChannel wrapped = new FaultChannel(this, channel, key, inode);
      openChannels.add(wrapped);
      return wrapped;
    }
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    checkUp(file);
    synchronized (lock) {
      delegate.deleteIfExists(file);
      names.remove(key(file));
    }
  }

  @Override
  public void atomicRename(Path source, Path target) throws IOException {
    checkUp(source);
    synchronized (lock) {
      delegate.atomicRename(source, target);
      Inode inode = names.remove(key(source));
      if (inode != null) {
        names.put(key(target), inode);
      }
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    checkUp(dir);
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    checkUp(dir);
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    checkUp(dir);
    long n = dirSyncs.incrementAndGet();
    if (n == failDirSyncAt) {
      throw new IOException("injected directory fsync failure #" + n + ": " + dir);
    }
    if (realFsync) {
      delegate.syncDirectory(dir);
    }
    synchronized (lock) {
      Path d = key(dir);
      durableNames.keySet().removeIf(p -> d.equals(p.getParent()) && !names.containsKey(p));
      for (var e : names.entrySet()) {
        if (d.equals(e.getKey().getParent())) {
          durableNames.put(e.getKey(), e.getValue());
        }
      }
    }
  }

  // ---- crash

  /**
   * Simulates a killed process ({@code kill -9}): every channel opened so far is dead and every
   * operation throws until {@link #restart()}, but the operating system keeps what was written, so
   * the files stay as they are and nothing becomes more durable than it was. A later {@link #crash}
   * still loses what was never forced.
   */
  public void kill() {
    synchronized (lock) {
      for (FaultChannel channel : openChannels) {
        channel.dead = true;
        try {
          channel.delegate.close();
        } catch (IOException e) {
          // the channel is gone either way
        }
      }
      openChannels.clear();
      down = true;
    }
  }

  /**
   * Simulates a power loss with a crash mode chosen per file from all modes.
   *
   * @throws IOException if the files cannot be rewritten
   */
  public void crash() throws IOException {
    crash(EnumSet.allOf(CrashMode.class));
  }

  /**
   * Simulates a power loss: every channel opened so far is dead (its operations throw), the files
   * on disk are rewritten to what survived, and every operation throws until {@link #restart()}.
   *
   * @param modes the crash modes to choose from, per file
   * @throws IOException if the files cannot be rewritten
   */
  public void crash(Set<CrashMode> modes) throws IOException {
    if (!trackDurability) {
      throw new IllegalStateException("crash() needs trackDurability");
    }
    CrashMode[] choices = modes.toArray(new CrashMode[0]);
    synchronized (lock) {
      for (FaultChannel channel : openChannels) {
        channel.dead = true;
        try {
          channel.delegate.close();
        } catch (IOException e) {
          // the channel is gone either way
        }
      }
      openChannels.clear();
      Map<Inode, byte[]> live = new IdentityHashMap<>();
      for (var e : names.entrySet()) {
        live.put(
            e.getValue(),
            Files.exists(e.getKey()) ? Files.readAllBytes(e.getKey()) : e.getValue().durable);
      }
      // Sorted, so that the same seed makes the same choices.
      TreeSet<Path> all = new TreeSet<>(names.keySet());
      all.addAll(durableNames.keySet());
      Map<Path, Inode> after = new HashMap<>();
      Map<Inode, byte[]> content = new IdentityHashMap<>();
      for (Path p : all) {
        Inode now = names.get(p);
        Inode durable = durableNames.get(p);
        Inode chosen = now == durable ? now : (randomInt(2) == 0 ? now : durable);
        if (chosen == null) {
          continue;
        }
        after.put(p, chosen);
        if (!content.containsKey(chosen)) {
          byte[] liveBytes = live.get(chosen);
          content.put(
              chosen,
              liveBytes == null
                  ? chosen.durable
                  : mangle(chosen.durable, liveBytes, choices[randomInt(choices.length)]));
        }
      }
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
      for (var e : after.entrySet()) {
        byte[] bytes = content.get(e.getValue());
        Files.write(e.getKey(), bytes);
        e.getValue().durable = bytes;
      }
      names.clear();
      names.putAll(after);
      durableNames.clear();
      durableNames.putAll(after);
      down = true;
    }
  }

  private byte[] mangle(byte[] durable, byte[] live, CrashMode mode) {
    if (mode == CrashMode.KEEP) {
      return live;
    }
    if (live.length < durable.length) {
      // Truncated since the last force: either version may survive.
      return randomInt(2) == 0 ? durable : live;
    }
    // Bytes from the first one that differs on were written since the last force, whether they
    // were appended or overwrote old bytes (zeros written ahead, say). A prefix of them survives;
    // beyond it the old bytes remain.
    int from = Arrays.mismatch(live, 0, durable.length, durable, 0, durable.length);
    if (from < 0) {
      from = durable.length;
    }
    int unsynced = live.length - from;
    if (unsynced == 0 || mode == CrashMode.DROP) {
      return durable;
    }
    int keep = 1 + randomInt(unsynced);
    byte[] out = Arrays.copyOf(live, Math.max(from + keep, durable.length));
    if (from + keep < durable.length) {
      System.arraycopy(durable, from + keep, out, from + keep, durable.length - from - keep);
    }
    switch (mode) {
      case GARBLE -> {
        int changes = 1 + randomInt(8);
        for (int i = 0; i < changes; i++) {
          int at = from + randomInt(keep);
          out[at] = (byte) (out[at] ^ (1 + randomInt(255)));
        }
      }
      case HOLES -> {
        int firstSector = from / 512;
        int lastSector = (from + keep - 1) / 512;
        int holes = 1 + randomInt(3);
        for (int i = 0; i < holes; i++) {
          int sector = firstSector + randomInt(lastSector - firstSector + 1);
          int start = Math.max(from, sector * 512);
          int end = Math.min(from + keep, (sector + 1) * 512);
          Arrays.fill(out, start, end, (byte) 0);
        }
      }
      default -> {} // TEAR: the prefix is all
    }
    return out;
  }

  // ---- called by FaultChannel

  void checkAlive(FaultChannel channel) throws IOException {
    if (channel.dead || down) {
      throw new IOException("simulated power loss: channel of " + channel.path + " is dead");
    }
  }

  /** Injects write faults and accounts for free space; returns normally if the write may go on. */
  void beforeWrite(FaultChannel channel, ByteBuffer src, long position) throws IOException {
    checkAlive(channel);
    long n = writes.incrementAndGet();
    if (n == failWriteAt || randomFailure()) {
      int prefix = src.remaining() == 0 ? 0 : randomInt(src.remaining());
      channel.writePrefix(src, position, prefix);
      throw new IOException(
          "injected write failure #" + n + " on " + channel.path + " after " + prefix + " bytes");
    }
    int len = src.remaining();
    synchronized (lock) {
      if (len > freeSpace) {
        int fits = (int) freeSpace;
        freeSpace = 0;
        channel.writePrefix(src, position, fits);
        throw new IOException("No space left on device (injected) writing " + channel.path);
      }
      if (freeSpace != Long.MAX_VALUE) {
        freeSpace -= len;
      }
    }
  }

  void force(FaultChannel channel, boolean metaData) throws IOException {
    checkAlive(channel);
    long n = forces.incrementAndGet();
    if (n == failForceAt || randomFailure()) {
      throw new IOException("injected fsync failure #" + n + " on " + channel.path);
    }
    long delay = forceDelayNanos;
    if (delay > 0) {
      try {
        Thread.sleep(Duration.ofNanos(delay));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    // Only what was in the file when the force began is durable; concurrent appends are not.
    FileChannel delegate = channel.delegate;
    long size = delegate.size();
    if (realFsync) {
      delegate.force(metaData);
    }
    if (trackDurability) {
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && delegate.read(buf, buf.position()) >= 0) {
        // keep reading
      }
      synchronized (lock) {
        checkAlive(channel);
        channel.inode.durable = Arrays.copyOf(buf.array(), buf.position());
      }
    }
  }

  void closed(FaultChannel channel) {
    synchronized (lock) {
      openChannels.remove(channel);
    }
  }

  /**
   * The paths this layer currently tracks (for debugging tests).
   *
   * @return the tracked paths
   */
  public List<Path> trackedFiles() {
    synchronized (lock) {
      return new ArrayList<>(names.keySet());
    }
  }
}
