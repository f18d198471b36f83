package io.iqdb.internal.wal;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link WriteAheadLog} behaves.
 *
 * @param mode when appended records are fsynced; see {@link Mode}
 * @param asyncInterval for {@link Mode#ASYNC}, the period of the background fsync (positive);
 *     ignored for {@link Mode#SYNC}
 * @param maxGenerationBytes once the current generation file has reached this size, the next append
 *     starts a new generation; at least {@value #MIN_GENERATION_BYTES}. A single record is never
 *     split, so a file can be larger by one record.
 * @param fs the file layer every file operation goes through
 */
public record WalOptions(
    Mode mode, Duration asyncInterval, long maxGenerationBytes, WalFileSystem fs) {

  /** The default {@link #maxGenerationBytes}: 64 MiB. */
  public static final long DEFAULT_MAX_GENERATION_BYTES = 64L << 20;

  /** The smallest accepted {@link #maxGenerationBytes}. */
  public static final long MIN_GENERATION_BYTES = 1024;

  /**
   * When records are fsynced. A mode without a WAL (durable only at flush) is not a WAL mode: the
   * caller simply does not open a WAL.
   */
  public enum Mode {
    /**
     * The caller fsyncs through {@link WriteAheadLog#sync(long)} before acknowledging a write;
     * concurrent callers share one fsync. No background thread.
     */
    SYNC,
    /**
     * A daemon thread fsyncs everything appended every {@code asyncInterval}; {@link
     * WriteAheadLog#sync(long)} still works and {@link WriteAheadLog#close()} fsyncs.
     */
    ASYNC
  }

  /**
   * Validates the options.
   *
   * @param mode the mode
   * @param asyncInterval the ASYNC fsync period
   * @param maxGenerationBytes the generation roll threshold
   * @param fs the file layer
   */
  public WalOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(fs, "fs");
    if (asyncInterval == null) {
      asyncInterval = Duration.ZERO;
    }
    if (mode == Mode.ASYNC && (asyncInterval.isNegative() || asyncInterval.isZero())) {
      throw new IllegalArgumentException(
          "ASYNC mode needs a positive interval; asyncInterval=" + asyncInterval);
    }
    if (maxGenerationBytes < MIN_GENERATION_BYTES) {
      throw new IllegalArgumentException(
          "maxGenerationBytes must be >= "
              + MIN_GENERATION_BYTES
              + "; maxGenerationBytes="
              + maxGenerationBytes);
    }
  }

  /**
   * SYNC mode, {@link #DEFAULT_MAX_GENERATION_BYTES}, the default file system.
   *
   * @return the default options
   */
  public static WalOptions defaults() {
    return new WalOptions(
        Mode.SYNC, Duration.ZERO, DEFAULT_MAX_GENERATION_BYTES, WalFileSystem.defaultFileSystem());
  }

  /**
   * These options with another mode and interval.
   *
   * @param newMode the mode
   * @param newInterval the ASYNC interval (ignored for SYNC)
   * @return the new options
   */
  public WalOptions withMode(Mode newMode, Duration newInterval) {
    return new WalOptions(newMode, newInterval, maxGenerationBytes, fs);
  }

  /**
   * These options with another roll threshold.
   *
   * @param newMaxGenerationBytes the threshold
   * @return the new options
   */
  public WalOptions withMaxGenerationBytes(long newMaxGenerationBytes) {
    return new WalOptions(mode, asyncInterval, newMaxGenerationBytes, fs);
  }

  /**
   * These options with another file layer.
   *
   * @param newFs the file layer
   * @return the new options
   */
  public WalOptions withFileSystem(WalFileSystem newFs) {
    return new WalOptions(mode, asyncInterval, maxGenerationBytes, newFs);
  }
}
