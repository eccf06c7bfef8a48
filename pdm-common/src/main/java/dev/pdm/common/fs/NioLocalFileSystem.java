package dev.pdm.common.fs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * {@code fs.file.impl}: Hadoop's checksummed local file system over {@link NioRawLocalFileSystem}.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark.hadoop.fs.file.impl=dev.pdm.common.fs.NioLocalFileSystem
 * </pre>
 */
public class NioLocalFileSystem extends LocalFileSystem {

  public NioLocalFileSystem() {
    super(new NioRawLocalFileSystem());
  }
}
