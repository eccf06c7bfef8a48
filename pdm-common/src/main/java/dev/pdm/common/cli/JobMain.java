package dev.pdm.common.cli;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.spark.StreamShutdown;
import java.io.StringWriter;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.CmdLineException;
import org.kohsuke.args4j.CmdLineParser;
import org.kohsuke.args4j.OptionHandlerFilter;
import org.kohsuke.args4j.ParserProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin {@code main} of every job: parse args4j options into a validated record, build the
 * session (app name only), run the job, print its summary and map failures to exit codes
 * (0 success, 2 usage or config error, 1 failure). On SIGTERM a job's streaming queries are
 * stopped before the SparkContext ({@link StreamShutdown}).
 */
public final class JobMain {

  private static final Logger LOG = LoggerFactory.getLogger(JobMain.class);

  /** Turns parsed flags and the effective config into the job's options record. */
  @FunctionalInterface
  public interface OptionsParser<C extends CommonOptions, O> {
    O parse(C cli, PdmConfig config);
  }

  /** A job that needs Spark. */
  @FunctionalInterface
  public interface SparkJob<O> {
    JobResult run(SparkSession spark, O options);
  }

  /** A command that runs without Spark (broker control, publishing). */
  @FunctionalInterface
  public interface LocalJob<O> {
    JobResult run(O options);
  }

  private JobMain() {}

  public static <C extends CommonOptions, O> void runSpark(
      String command, String[] args, C cli, OptionsParser<C, O> parser, SparkJob<O> job) {
    System.exit(execute(command, args, cli, parser, job, null));
  }

  public static <C extends CommonOptions, O> void runLocal(
      String command, String[] args, C cli, OptionsParser<C, O> parser, LocalJob<O> job) {
    System.exit(execute(command, args, cli, parser, null, job));
  }

  static <C extends CommonOptions, O> int execute(
      String command, String[] args, C cli, OptionsParser<C, O> parser, SparkJob<O> sparkJob,
      LocalJob<O> localJob) {
    CmdLineParser cmd = new CmdLineParser(cli, ParserProperties.defaults().withUsageWidth(100));
    O options;
    try {
      cmd.parseArgument(args);
      if (cli.help) {
        cli.help = false; // args4j prints current values as defaults
        System.out.print(usage(command, cmd));
        return 0;
      }
      PdmConfig config = cli.config();
      options = parser.parse(cli, config);
      LOG.info("pdm {} with effective config:\n{}", command, config.describe());
    } catch (CmdLineException e) {
      System.err.println("pdm " + command + ": " + e.getMessage());
      System.err.print(usage(command, cmd));
      return 2;
    } catch (PdmException e) {
      System.err.println("pdm " + command + ": " + e.getMessage());
      return e.exitCode();
    }
    SparkSession spark = null;
    StreamShutdown shutdown = null;
    try {
      JobResult result;
      if (sparkJob != null) {
        spark = Sessions.create("pdm " + command);
        shutdown = StreamShutdown.install(spark, command);
        spark.sparkContext().setJobGroup("pdm-" + command, "pdm " + command + " " + String.join(" ", args), false);
        result = sparkJob.run(spark, options);
      } else {
        result = localJob.run(options);
      }
      String summary = result == null ? "" : result.summary();
      if (!summary.isEmpty()) {
        System.out.println(summary);
      }
      return result == null ? 0 : result.exitCode();
    } catch (PdmException e) {
      LOG.debug("pdm {} failed", command, e);
      System.err.println("pdm " + command + ": " + e.getMessage());
      return e.exitCode();
    } catch (RuntimeException | Error e) {
      LOG.error("pdm {} failed", command, e);
      System.err.println("pdm " + command + ": failed: " + rootMessage(e));
      return 1;
    } finally {
      if (shutdown != null) {
        shutdown.close();
      }
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private static String usage(String command, CmdLineParser cmd) {
    StringWriter out = new StringWriter();
    out.write("Usage: pdm " + command + cmd.printExample(OptionHandlerFilter.REQUIRED) + " [options]\n");
    cmd.printUsage(out, null);
    return out.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (caused by " + t + ")";
  }
}
