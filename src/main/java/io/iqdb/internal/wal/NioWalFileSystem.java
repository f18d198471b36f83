package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.util.IOUtils;

/** {@link WalFileSystem} over {@link FileChannel} and {@link Files}. */
final class NioWalFileSystem implements WalFileSystem {

  static final NioWalFileSystem INSTANCE = new NioWalFileSystem();

  private NioWalFileSystem() {}

  @Override
  public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    return FileChannel.open(file, options);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  @Override
  public void atomicRename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> stream = Files.list(dir)) {
      stream.filter(Files::isRegularFile).forEach(files::add);
    }
    return files;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // Lucene's helper knows which platforms cannot fsync a directory (Windows) and skips them.
    IOUtils.fsync(dir, true);
  }
}
