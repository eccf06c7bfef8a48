package dev.pdm.mlflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.SparkSession;

/**
 * Model files under the warehouse (any Hadoop file system), in MLflow's {@code spark} flavor layout:
 * an {@code MLmodel} file beside {@code sparkml/} (the saved {@link PipelineModel}), which Python's
 * {@code mlflow.spark.load_model} loads; and their upload to a run.
 *
 * <p>Usage:
 * <pre>{@code
 * ModelArtifacts.save(spark, pipeline, modelDir, "rul-model", runId);
 * ModelArtifacts.upload(spark, tracking, tracking.artifactUri(runId), modelDir, "rul-model");
 * PipelineModel m = ModelArtifacts.load(spark, tracking, config, "FD001", name, version, runId, Task.RUL);
 * }</pre>
 */
public final class ModelArtifacts {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelArtifacts.class);

  /** The directory of the Spark ML pipeline inside a model directory. */
  public static final String SPARKML = "sparkml";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The MLflow that loads and serves the models (the venv's, pinned in bin/requirements/mlflow.txt,
   * which the build copies beside this class), not the Java client's version.
   */
  public static final String MLFLOW_VERSION = pinnedMlflow();

  private ModelArtifacts() {}

  private static String pinnedMlflow() {
    try (java.io.InputStream in = ModelArtifacts.class.getResourceAsStream("mlflow.txt")) {
      if (in != null) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (line.trim().startsWith("mlflow==")) {
            return line.trim().substring("mlflow==".length());
          }
        }
      }
    } catch (IOException e) {
      // the build packs it; without it the field says so below
    }
    throw PdmErrors.failure("find the pinned MLflow version", "mlflow.txt is not on the classpath",
        "build the jar with mvn package, which copies bin/requirements/mlflow.txt beside ModelArtifacts");
  }

  /** Saves the pipeline and writes MLmodel and requirements.txt beside it. */
  public static void save(SparkSession spark, PipelineModel model, String dir, String artifactPath, String runId) {
    try {
      model.write().overwrite().save(dir + "/" + SPARKML);
    } catch (IOException e) {
      throw PdmErrors.failure("save the model to " + dir, e.getMessage(), "check the model directory", e);
    }
    String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"));
    String pyspark = spark.version();
    String mlmodel = String.join("\n",
        "artifact_path: " + artifactPath,
        "flavors:",
        "  python_function:",
        "    data: " + SPARKML,
        "    env:",
        "      virtualenv: python_env.yaml",
        "    loader_module: mlflow.spark",
        "    python_version: 3.11.7",
        "  spark:",
        "    code: null",
        "    model_class: pyspark.ml.pipeline.PipelineModel",
        "    model_data: " + SPARKML,
        "    pyspark_version: " + pyspark,
        "mlflow_version: " + MLFLOW_VERSION,
        "model_uuid: " + UUID.randomUUID().toString().replace("-", ""),
        "run_id: " + runId,
        "utc_time_created: '" + now + "'",
        "");
    write(spark, dir + "/MLmodel", mlmodel.getBytes(StandardCharsets.UTF_8));
    write(spark, dir + "/requirements.txt", ("pyspark==" + pyspark + "\n").getBytes(StandardCharsets.UTF_8));
    write(spark, dir + "/python_env.yaml", ("python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n"
        + "- -r requirements.txt\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Feature importances by name, largest first. */
  public static Map<String, Double> importances(List<String> features, Vector importances) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -importances.apply(i)));
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i : order) {
      out.put(features.get(i), importances.apply(i));
    }
    return out;
  }

  public static byte[] importancesJson(Map<String, Double> importances) {
    ObjectNode node = JSON.createObjectNode();
    importances.forEach(node::put);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A horizontal bar chart of the largest {@code top} importances, as PNG. */
  public static byte[] importancesChart(String title, Map<String, Double> importances, int top) {
    System.setProperty("java.awt.headless", "true");
    List<Map.Entry<String, Double>> rows = importances.entrySet().stream().limit(top).toList();
    int rowHeight = 22;
    int width = 900;
    int height = 60 + rowHeight * rows.size() + 20;
    int labelWidth = 260;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, 20, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    double max = rows.isEmpty() ? 1 : Math.max(rows.get(0).getValue(), 1e-12);
    int barMax = width - labelWidth - 90;
    for (int i = 0; i < rows.size(); i++) {
      int y = 50 + i * rowHeight;
      var e = rows.get(i);
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), 20, y + 15);
      int w = (int) Math.round(barMax * e.getValue() / max);
      g.setColor(new Color(52, 101, 164));
      g.fillRect(labelWidth, y + 3, Math.max(w, 1), rowHeight - 6);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.4f", e.getValue()), labelWidth + w + 6, y + 15);
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes a small file (any Hadoop file system). */
  public static void write(SparkSession spark, String path, byte[] content) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(p, true)) {
        out.write(content);
      }
    } catch (IOException e) {
      throw PdmErrors.failure("write " + path, e.getMessage(), "check the model directory", e);
    }
  }

  /** Files under a directory, relative to it, without Hadoop's checksum and marker files. */
  public static List<String> files(SparkSession spark, String dir) {
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      String prefix = fs.getFileStatus(root).getPath().toString() + "/";
      List<String> out = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        FileStatus f = it.next();
        String name = f.getPath().getName();
        if (name.endsWith(".crc") || name.startsWith("_SUCCESS")) {
          continue;
        }
        out.add(f.getPath().toString().substring(prefix.length()));
      }
      out.sort(null);
      return out;
    } catch (IOException e) {
      throw PdmErrors.failure("list " + dir, e.getMessage(), "check the model directory", e);
    }
  }

  /** Uploads every file under {@code dir} to the run's artifacts under {@code artifactPath}. */
  public static void upload(SparkSession spark, Tracking tracking, String artifactUri, String dir, String artifactPath) {
    for (String rel : files(spark, dir)) {
      uploadFile(spark, tracking, artifactUri, dir + "/" + rel, artifactPath + "/" + rel);
    }
  }

  /** Uploads one file. */
  public static void uploadFile(SparkSession spark, Tracking tracking, String artifactUri, String file,
      String artifactPath) {
    Path p = new Path(file);
    tracking.upload(artifactUri, artifactPath, () -> {
      try {
        return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
  /**
   * A registered version's Spark pipeline: read from the directory {@code train} saved it to under
   * {@code pdm.training.model-dir}; when that is gone (another warehouse, a cleaned disk) it is
   * downloaded from the run's artifacts through the server's artifact proxy into
   * {@code <model-dir>/_registry/<name>/<version>} once, so executors read it from shared storage.
   */
  public static PipelineModel load(SparkSession spark, Tracking tracking, PdmConfig config, String dataset,
      String name, String version, String runId, Task task) {
    String what = name + " v" + version;
    String modelDir = config.require(PdmConfigKeys.MODEL_DIR);
    String artifact = task.id() + "-model/" + SPARKML;
    String saved = modelDir + "/" + dataset + "/" + runId + "/" + artifact;
    String cached = modelDir + "/_registry/" + name + "/" + version + "/" + artifact;
    try {
      FileSystem fs = new Path(saved).getFileSystem(spark.sparkContext().hadoopConfiguration());
      String dir;
      if (fs.exists(new Path(saved, "metadata"))) {
        dir = saved;
      } else {
        if (!fs.exists(new Path(cached, "metadata"))) {
          download(tracking, what, runId, artifact, fs, cached);
        }
        dir = cached;
      }
      return PipelineModel.load(dir);
    } catch (IOException | RuntimeException e) {
      if (e instanceof dev.pdm.common.PdmException p) {
        throw p;
      }
      throw PdmErrors.failure("load " + what, e.getMessage(),
          "check " + saved + " or the run's artifacts in MLflow (" + artifact + ")", e);
    }
  }

  /**
   * The RUL intervals stored with a RUL model version ({@link RulIntervals#FILE}), read where
   * {@link #load} finds the model: the training's directory, else the registry copy, else the
   * run's artifacts (copied to the registry copy once). Null for a version trained before pdm
   * stored intervals, or when the artifacts cannot be read (logged): it scores without them.
   */
  public static RulIntervals intervals(SparkSession spark, Tracking tracking, PdmConfig config, String dataset,
      String name, String version, String runId) {
    String modelDir = config.require(PdmConfigKeys.MODEL_DIR);
    String file = Task.RUL.id() + "-model/" + RulIntervals.FILE;
    Path saved = new Path(modelDir + "/" + dataset + "/" + runId + "/" + file);
    Path cached = new Path(modelDir + "/_registry/" + name + "/" + version + "/" + file);
    try {
      FileSystem fs = saved.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path at = fs.exists(saved) ? saved : fs.exists(cached) ? cached : null;
      if (at == null && tracking != null) {
        // as download(): a copy cut off never lies where a later load would read it
        Path tmp = new Path(cached + ".tmp-" + System.nanoTime());
        try (InputStream in = tracking.open(tracking.artifactUri(runId), file);
             OutputStream out = fs.create(tmp, true)) {
          in.transferTo(out);
        } catch (dev.pdm.common.PdmException e) {
          LOG.warn("{} v{} has no RUL intervals ({}); its predictions carry none", name, version, e.getMessage());
        }
        if (fs.exists(tmp)) {
          if (!fs.rename(tmp, cached) && !fs.exists(cached)) {
            throw PdmErrors.failure("read the RUL intervals of " + name + " v" + version, "could not move " + tmp
                + " to " + cached, "check the model directory");
          }
          fs.delete(tmp, false);
          at = cached;
        }
      }
      if (at == null) {
        return null;
      }
      try (InputStream in = fs.open(at)) {
        return RulIntervals.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), at.toString());
      }
    } catch (IOException e) {
      throw PdmErrors.failure("read the RUL intervals of " + name + " v" + version, e.getMessage(),
          "check " + saved + " or the run's artifacts in MLflow (" + file + ")", e);
    }
  }

  /** Copies a run's model directory from the artifact proxy, then renames it into place. */
  private static void download(Tracking tracking, String what, String runId, String artifact, FileSystem fs,
      String target) throws IOException {
    String artifactUri = tracking.artifactUri(runId);
    Path tmp = new Path(target + ".tmp-" + System.nanoTime());
    var files = tracking.listFiles(runId, artifact);
    if (files.isEmpty()) {
      throw PdmErrors.failure("load " + what, "run " + runId + " has no artifacts under " + artifact,
          "register a version trained by pdm train");
    }
    LOG.info("Downloading {} ({} files) from {} to {}", what, files.size(), tracking.uri(), target);
    for (String f : files) {
      try (InputStream in = tracking.open(artifactUri, f);
           OutputStream out = fs.create(new Path(tmp, f.substring(artifact.length() + 1)), true)) {
        in.transferTo(out);
      }
    }
    fs.mkdirs(new Path(target).getParent());
    if (!fs.rename(tmp, new Path(target)) && !fs.exists(new Path(target, "metadata"))) {
      throw PdmErrors.failure("load " + what, "could not move " + tmp + " to " + target, "check the model directory");
    }
    fs.delete(tmp, true);
  }
}
