package dev.pdm.common.config;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import org.kohsuke.args4j.Option;

/**
 * The effective configuration of an invocation (defaults &lt; {@code --conf} file &lt; {@code --set}),
 * with references resolved and secrets masked; or the value of one key, for scripts.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm config --conf conf/pdm-cluster.properties
 * bin/pdm config --conf conf/pdm-local.properties --get pdm.mlflow.tracking-uri
 * </pre>
 */
public final class ConfigCommand {

  /** Validated options; {@code key} is null to print every key. */
  public record Options(PdmConfig config, String key) {
    public Options {
      if (key != null && config.get(key) == null && PdmConfigKeys.all().stream().noneMatch(k -> k.name().equals(key))) {
        throw PdmErrors.usage("print config key " + key, "no such key is declared or set",
            "bin/pdm config lists the keys with their values");
      }
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--get", metaVar = "KEY", usage = "print only this key's value (secrets stay masked)")
    String get;
  }

  private ConfigCommand() {}

  public static void main(String[] args) {
    JobMain.runLocal("config", args, new Cli(), (cli, config) -> new Options(config, cli.get), ConfigCommand::run);
  }

  /** Every key, or the one key's value; a declared key without a value prints nothing. */
  public static JobResult run(Options o) {
    String value = o.key() == null ? null : o.config().get(o.key());
    String out = o.key() == null ? o.config().describe().stripTrailing()
        : value == null ? "" : PdmConfig.masked(o.key(), value);
    return () -> out;
  }
}
