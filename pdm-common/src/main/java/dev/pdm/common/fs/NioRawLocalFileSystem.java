package dev.pdm.common.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, answering two calls with {@code java.nio} instead of a child
 * process. Without Hadoop's native library (pdm does not ship it), {@link RawLocalFileSystem}
 * starts {@code chmod} for every file and directory it creates and {@code readlink} for every
 * {@link #getFileLinkStatus} (each Delta commit's rename asks it twice). A JFR recording of the
 * stream scorer draining 600,000 events counted 1,300 such processes in 75 s, about 2 ms each.
 *
 * <p>{@code readlink} was given the path's URI ({@code file:/...}), which names no file, so the
 * stock class answered every qualified path with {@link #getFileStatus}; this one does the same
 * for anything that is not a symbolic link, and leaves links to the stock code. A file system
 * without POSIX permissions falls back to the stock {@code chmod}.
 *
 * <p>Used through {@link NioLocalFileSystem} ({@code fs.file.impl}) and {@link NioLocalFs}
 * ({@code fs.AbstractFileSystem.file.impl}, Delta's log store), which {@code Sessions.LOCAL_DEFAULTS}
 * set for a local master.
 */
public class NioRawLocalFileSystem extends RawLocalFileSystem {

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    try {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
    } catch (UnsupportedOperationException e) {
      super.setPermission(p, permission);
    }
  }

  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    return Files.isSymbolicLink(pathToFile(f).toPath()) ? super.getFileLinkStatus(f) : getFileStatus(f);
  }

  /** The rwx bits of a Hadoop permission (sticky and set-id bits are not settable through java.nio). */
  static Set<PosixFilePermission> posix(short mode) {
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(bits[i]);
      }
    }
    return out;
  }
}
