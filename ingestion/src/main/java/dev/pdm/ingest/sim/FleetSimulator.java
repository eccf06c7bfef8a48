package dev.pdm.ingest.sim;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The project's own telemetry simulator: a turbofan fleet in the C-MAPSS shape (3 operational
 * settings, 21 sensors, columns of the {@code cmapss} profile). Each asset has its own initial
 * wear and manufacturing spread, runs under one of several operating regimes each cycle, degrades
 * from an onset cycle to failure along one of one or two fault modes, with sensor noise.
 *
 * <p>Seeded and reproducible: asset {@code u} of seed {@code s} is the same series whatever else
 * is generated, and in whatever order, so a fleet can be generated in parallel by Spark.
 */
public final class FleetSimulator implements Serializable {

  /** Sea-level healthy means of s1..s21 (C-MAPSS FD001 engines at the start of life). */
  private static final double[] BASE = {
    518.67, 642.68, 1590.52, 1408.93, 14.62, 21.61, 553.37, 2388.10, 9065.24, 1.30, 47.54,
    521.41, 2388.10, 8143.75, 8.442, 0.03, 393.2, 2388.0, 100.0, 38.82, 23.29
  };

  /** Change of each sensor at failure (fault mode 1, HPC degradation). */
  private static final double[] DELTA = {
    0, 1.6, 16, 26, 0, 0, -3.6, 0.25, 30, 0, 1.05, -3.3, 0.25, 28, 0.085, 0, 5.5, 0, 0, -0.85, -0.52
  };

  /** Sensor noise (standard deviation). */
  private static final double[] NOISE = {
    0, 0.5, 6, 9, 0, 0.0014, 0.88, 0.07, 22, 0, 0.27, 0.74, 0.072, 19, 0.037, 0, 1.55, 0, 0, 0.18, 0.11
  };

  /** Fault mode 2 (HPC and fan degradation) weighs fan-side sensors more and core ones less. */
  private static final double[] MODE2_WEIGHT = {
    1, 1, 0.6, 1, 1, 1, 0.6, 2.2, 1.5, 1, 0.6, 0.6, 2.2, 1.3, 2.0, 1, 1, 1, 1, 1.6, 1.6
  };

  /** Operating regimes: altitude (kft), Mach, throttle angle, and a factor on sensor levels. */
  private static final double[][] REGIMES = {
    {0, 0, 100, 1.0}, {10, 0.25, 100, 0.96}, {20, 0.7, 100, 0.92},
    {25, 0.62, 60, 0.88}, {35, 0.84, 100, 0.85}, {42, 0.84, 100, 0.82}
  };

  /** Sensors whose level does not move with the regime (ratios, demanded settings). */
  private static final boolean[] REGIME_FREE = new boolean[21];

  static {
    REGIME_FREE[15] = true; // s16 fuel-air ratio
    REGIME_FREE[18] = true; // s19 demanded corrected fan speed
    REGIME_FREE[9] = true; // s10 pressure ratio
  }

  public static final int READINGS = 3 + BASE.length;

  private final long seed;
  private final int regimes;
  private final int faultModes;

  public FleetSimulator(long seed, int regimes, int faultModes) {
    if (regimes < 1 || regimes > REGIMES.length) {
      throw new IllegalArgumentException("regimes must be 1.." + REGIMES.length);
    }
    if (faultModes < 1 || faultModes > 2) {
      throw new IllegalArgumentException("fault modes must be 1 or 2");
    }
    this.seed = seed;
    this.regimes = regimes;
    this.faultModes = faultModes;
  }

  /** The generator of one asset (unit from 1). */
  public Asset asset(int unit) {
    return new Asset(unit);
  }

  /** One asset's series: {@link #next()} gives settings and sensors of the next cycle. */
  public final class Asset implements Serializable {
    private final int unit;
    private final SplittableRandom rng;
    private final int failureCycle;
    private final int onset;
    private final double initialWear;
    private final double[] spread = new double[BASE.length];
    private final int faultMode;
    private int cycle;

    Asset(int unit) {
      this.unit = unit;
      this.rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + unit * 0xBF58476D1CE4E5B9L);
      this.failureCycle = 128 + (int) Math.min(272, Math.round(-Math.log(1 - rng.nextDouble()) * 78));
      this.onset = (int) (failureCycle * (0.35 + 0.3 * rng.nextDouble()));
      this.initialWear = 0.12 * rng.nextDouble();
      for (int s = 0; s < spread.length; s++) {
        double g = gaussian();
        // Sensors set by the operating condition alone (as s1, s5, s10, s16, s18, s19 of C-MAPSS)
        // read the same on every engine; the others carry the engine's manufacturing spread.
        spread[s] = NOISE[s] == 0 && DELTA[s] == 0 ? 1 : 1 + 0.0008 * g;
      }
      this.faultMode = faultModes == 1 ? 1 : 1 + rng.nextInt(2);
    }

    public int unit() {
      return unit;
    }

    /** The cycle at which the asset fails: its last cycle in a run-to-failure series. */
    public int failureCycle() {
      return failureCycle;
    }

    /** Where a test series of this asset stops: 30% to 95% of its life, fixed by the seed. */
    public int testLastCycle() {
      SplittableRandom r = new SplittableRandom(seed * 31 + unit * 0x94D049BB133111EBL);
      return Math.max(1, (int) (failureCycle * (0.3 + 0.65 * r.nextDouble())));
    }

    public int cycle() {
      return cycle;
    }

    public boolean hasNext(int lastCycle) {
      return cycle < lastCycle;
    }

    /** Readings of the next cycle: setting1..3 then s1..s21. */
    public double[] next() {
      cycle++;
      double[] r = new double[READINGS];
      double[] regime = REGIMES[regimes == 1 ? 0 : rng.nextInt(regimes)];
      r[0] = round(regime[0] + 0.002 * gaussian(), 4);
      r[1] = round(regime[1] + 0.0003 * gaussian(), 4);
      r[2] = regime[2];
      double progress = cycle <= onset ? 0 : Math.pow((double) (cycle - onset) / (failureCycle - onset), 1.6);
      double wear = Math.min(1, initialWear + progress * (1 - initialWear));
      for (int s = 0; s < BASE.length; s++) {
        double level = BASE[s] * spread[s] * (REGIME_FREE[s] ? 1 : regime[3]);
        double weight = faultMode == 2 ? MODE2_WEIGHT[s] : 1;
        double value = level + DELTA[s] * weight * wear + NOISE[s] * gaussian();
        r[3 + s] = round(value, BASE[s] < 2 ? 4 : 2);
      }
      return r;
    }

    private double gaussian() {
      return SimMath.gaussian(rng);
    }
  }

  private static double round(double v, int digits) {
    return SimMath.round(v, digits);
  }

  /** A C-MAPSS text line: unit, cycle, readings, space separated. */
  public static String cmapssLine(int unit, int cycle, double[] readings) {
    StringBuilder line = new StringBuilder(200).append(unit).append(' ').append(cycle);
    for (double v : readings) {
      line.append(' ').append(v);
    }
    return line.toString();
  }
}
