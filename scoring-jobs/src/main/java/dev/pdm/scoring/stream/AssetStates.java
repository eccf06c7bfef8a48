package dev.pdm.scoring.stream;

import dev.pdm.scoring.RiskLevels.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Operations on an {@link AssetState} bean: its recent-cycles ring, readings hashes, its ops.asset_risk row. */
final class AssetStates {

  private AssetStates() {}

  static AssetState fresh(int recent) {
    AssetState s = new AssetState();
    s.setHeld(new ArrayList<>());
    s.setRiskLevel(Level.LOW.name());
    s.setAlertedLevel(Level.LOW.name());
    s.setFlushedWindow(Long.MIN_VALUE);
    ensureRecent(s, recent);
    return s;
  }

  /** Gives a state from a checkpoint or an initial state a ring of {@code recent} slots (kept when it has one). */
  static void ensureRecent(AssetState s, int recent) {
    if (s.getRecentCycles() == null || s.getRecentCycles().length == 0) {
      int[] cycles = new int[recent];
      Arrays.fill(cycles, -1);
      s.setRecentCycles(cycles);
      s.setRecentHashes(new long[recent]);
      List<String> sources = new ArrayList<>(recent);
      for (int i = 0; i < recent; i++) {
        sources.add(null);
      }
      s.setRecentSources(sources);
    }
    // a state read back holds immutable lists
    s.setRecentSources(new ArrayList<>(s.getRecentSources()));
    if (s.getRiskLevel() == null) {
      s.setRiskLevel(Level.LOW.name());
    }
    if (s.getAlertedLevel() == null) {
      s.setAlertedLevel(Level.LOW.name());
    }
  }

  static int slot(AssetState s, int cycle) {
    return Math.floorMod(cycle, s.getRecentCycles().length);
  }

  /** Records that {@code cycle} was landed with readings of {@code hash} from {@code source}. */
  static void remember(AssetState s, int cycle, long hash, String source) {
    int at = slot(s, cycle);
    if (s.getRecentCycles()[at] > cycle) {
      return;
    }
    s.getRecentCycles()[at] = cycle;
    s.getRecentHashes()[at] = hash;
    s.getRecentSources().set(at, source);
  }

  /** A 64-bit hash of readings (NaN: missing); two records of a cycle are duplicates when theirs agree. */
  static long hash(double[] readings) {
    long h = 0xcbf29ce484222325L;
    for (double d : readings) {
      long bits = Double.doubleToLongBits(d);
      for (int i = 0; i < 8; i++) {
        h ^= (bits >>> (8 * i)) & 0xff;
        h *= 0x100000001b3L;
      }
    }
    return h;
  }

  static StreamOutput assetRow(AssetState s, String dataset, String asset) {
    StreamOutput o = new StreamOutput();
    o.setKind(StreamOutput.ASSET);
    o.setDataset(dataset);
    o.setAssetId(asset);
    o.setCycle(s.getScoredCycle());
    o.setRiskLevel(s.getRiskLevel());
    o.setAlertedLevel(s.getAlertedLevel());
    o.setAnomalyStreak(s.getAnomalyStreak());
    return o;
  }
}
