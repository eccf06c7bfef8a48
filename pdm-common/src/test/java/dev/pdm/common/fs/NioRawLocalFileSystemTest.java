package dev.pdm.common.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;

/**
 * The local file system without child processes answers as Hadoop's own: permissions set on
 * create and mkdirs, a file's link status is its status, a missing path is not found, and a
 * FileContext rename (Delta's commit) refuses to overwrite.
 */
class NioRawLocalFileSystemTest {

  @Test
  void permissionsAndStatusesAreHadoopsAndARenameDoesNotOverwrite() throws Exception {
    java.nio.file.Path dir = TestSpark.tempDir("nio-fs");
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
    conf.set("fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    FileSystem fs = new Path(dir.toUri()).getFileSystem(conf);
    assertTrue(fs instanceof NioLocalFileSystem, fs.getClass().getName());

    Path sub = new Path(dir.toUri().toString(), "a/b");
    assertTrue(fs.mkdirs(sub, new FsPermission((short) 0750)));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
    Path file = new Path(sub, "f.json");
    fs.create(file, new FsPermission((short) 0640), false, 4096, (short) 1, 1 << 20, null).close();
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/f.json"))));
    fs.setPermission(file, new FsPermission((short) 0604));
    assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/f.json"))));

    FileStatus link = fs.getFileLinkStatus(file);
    assertEquals(fs.getFileStatus(file).getPath(), link.getPath());
    assertFalse(link.isSymlink());
    assertFalse(link.isDirectory());
    assertThrows(FileNotFoundException.class, () -> fs.getFileLinkStatus(new Path(sub, "missing")));

    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    Path tmp = new Path(sub, ".g.json.tmp");
    fc.create(tmp, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE), Options.CreateOpts.createParent())
        .close();
    Path target = new Path(sub, "g.json");
    fc.rename(tmp, target, Options.Rename.NONE);
    assertTrue(Files.exists(dir.resolve("a/b/g.json")));
    Path again = new Path(sub, ".g2.json.tmp");
    fc.create(again, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE)).close();
    assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class,
        () -> fc.rename(again, target, Options.Rename.NONE));
  }

  @Test
  void posixBitsFollowTheOctalMode() {
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(NioRawLocalFileSystem.posix((short) 0755)));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(NioRawLocalFileSystem.posix((short) 0644)));
    assertEquals("---------", PosixFilePermissions.toString(NioRawLocalFileSystem.posix((short) 01000)));
  }
}
