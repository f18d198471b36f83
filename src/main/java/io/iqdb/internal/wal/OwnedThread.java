package io.iqdb.internal.wal;

/**
 * A thread that iQDB starts and never interrupts, and whose reference no application code gets:
 * blocking file I/O on it (through an interruptible {@link java.nio.channels.FileChannel}) cannot
 * be cut short by an interrupt. The write-ahead log runs its file operations on such a thread
 * directly instead of handing them to its {@link WalIoThread}.
 */
public class OwnedThread extends Thread {

  /**
   * A new daemon thread.
   *
   * @param task what it runs
   * @param name its name
   */
  public OwnedThread(Runnable task, String name) {
    super(task, name);
    setDaemon(true);
  }

  /**
   * Whether the calling thread is one that iQDB owns.
   *
   * @return true on an {@link OwnedThread}
   */
  public static boolean isCurrent() {
    return Thread.currentThread() instanceof OwnedThread;
  }
}
