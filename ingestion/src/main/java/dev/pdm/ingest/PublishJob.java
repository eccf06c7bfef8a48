package dev.pdm.ingest;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.ingest.kafka.KafkaSettings;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.kohsuke.args4j.Option;

/**
 * Publishes each line of a file as one Kafka message, byte for byte (the line without its
 * {@code \n}), like kafka-console-producer. Streams the file: memory does not grow with it.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm publish --topic telemetry --file events.jsonl
 * </pre>
 */
public final class PublishJob {

  /** Validated options. */
  public record Options(PdmConfig config, String topic, String file) {
    public Options {
      Names.requireTopic(topic);
    }
  }

  /** Messages sent. */
  public record Result(String topic, long messages) implements JobResult {
    @Override
    public String summary() {
      return "publish: " + messages + " messages to topic " + topic;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--topic", required = true, metaVar = "TOPIC", usage = "Kafka topic")
    String topic;

    @Option(name = "--file", required = true, metaVar = "PATH", usage = "file to publish, one message a line")
    String file;
  }

  private PublishJob() {}

  public static void main(String[] args) {
    JobMain.runLocal("publish", args, new Cli(),
        (cli, config) -> new Options(config, cli.topic, cli.file), PublishJob::run);
  }

  public static Result run(Options options) {
    AtomicReference<Exception> failed = new AtomicReference<>();
    long sent = 0;
    try (InputStream in = open(options.file());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(options.config()))) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
      int b;
      boolean pending = false;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          send(producer, options.topic(), line, failed);
          sent++;
          pending = false;
        } else {
          line.write(b);
          pending = true;
        }
      }
      if (pending) {
        send(producer, options.topic(), line, failed);
        sent++;
      }
      producer.flush();
    } catch (IOException e) {
      throw PdmErrors.failure("publish " + options.file(), e.getMessage(), "check the file", e);
    }
    if (failed.get() != null) {
      throw PdmErrors.failure("publish to topic " + options.topic(), failed.get().getMessage(),
          "check that Kafka runs at pdm.kafka.bootstrap-servers (bin/pdm kafka status)", failed.get());
    }
    return new Result(options.topic(), sent);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, ByteArrayOutputStream line,
      AtomicReference<Exception> failed) {
    if (failed.get() != null) {
      throw PdmErrors.failure("publish to topic " + topic, failed.get().getMessage(),
          "check that Kafka runs at pdm.kafka.bootstrap-servers (bin/pdm kafka status)");
    }
    producer.send(new ProducerRecord<>(topic, line.toByteArray()), (meta, e) -> {
      if (e != null) {
        failed.compareAndSet(null, e);
      }
    });
    line.reset();
  }

  private static InputStream open(String file) throws IOException {
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(new Configuration());
    if (!fs.exists(path) || fs.getFileStatus(path).isDirectory()) {
      throw PdmErrors.usage("publish " + file, "no such file", "pass an existing file with --file");
    }
    return new BufferedInputStream(fs.open(path), 1 << 16);
  }

}
