package dev.pdm.ingest.sim;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * A simulated fleet of centrifugal pumps with induction motors, a time fleet (profile
 * {@code builtin:pumps}: speed, vibration_rms, bearing_temp, discharge_pressure, flow,
 * motor_current): readings every {@code interval} with a little jitter and an occasional gap,
 * under one of a few speed set points that changes every few hours. Each pump runs 4 to 12 days
 * from its start, healthy until an onset between 35% and 65% of that life, then degrades to
 * failure along one of two fault modes: a bearing (vibration and temperature rise, a little more
 * current) or the impeller (flow and head fall, vibration rises less).
 *
 * <p>Seeded and reproducible like {@link FleetSimulator}: pump {@code u} of seed {@code s} is the
 * same series whatever else is generated, and in whatever order.
 */
public final class PumpSimulator implements Serializable {

  /** Speed set points, rpm: the 2-pole nominal first, then what variable-speed drives run at. */
  private static final double[] SPEEDS = {2950, 1475, 2400, 1800, 3300, 1200};
  private static final double NOMINAL_SPEED = SPEEDS[0];
  /** At nominal speed, healthy: vibration mm/s, bearing °C, pressure bar, flow m³/h, current A. */
  private static final double[] BASE = {1.8, 55, 8.0, 120, 60};
  private static final double[] NOISE = {0.12, 0.35, 0.06, 1.2, 0.5};
  /** Change at failure as a share of the healthy level (temperature: °C added). */
  private static final double[][] FAULT = {
    {5.0, 38, 0, 0, 0.08}, // bearing: vibration x6, +38 °C, +8% current
    {2.0, 6, -0.12, -0.15, -0.05}, // impeller wear: vibration x3, head and flow down
  };

  private static final long DAY_MS = 86_400_000L;

  private final long seed;
  private final int setPoints;
  private final int faultModes;
  private final long intervalMillis;

  public PumpSimulator(long seed, int setPoints, int faultModes, long intervalMillis) {
    if (setPoints < 1 || setPoints > SPEEDS.length) {
      throw new IllegalArgumentException("set points must be 1.." + SPEEDS.length);
    }
    if (faultModes < 1 || faultModes > 2) {
      throw new IllegalArgumentException("fault modes must be 1 or 2");
    }
    if (intervalMillis < 1) {
      throw new IllegalArgumentException("the interval must be positive");
    }
    this.seed = seed;
    this.setPoints = setPoints;
    this.faultModes = faultModes;
    this.intervalMillis = intervalMillis;
  }

  public Pump pump(int unit) {
    return new Pump(unit);
  }

  /** One pump's series from its start (time 0): {@link #next()} gives the next reading. */
  public final class Pump implements Serializable {
    private final int unit;
    private final SplittableRandom rng;
    private final long lifeMillis;
    private final long onsetMillis;
    private final int faultMode;
    private final double[] spread = new double[BASE.length];
    private long step = -1;
    private long nextChange;
    private double speed;
    private long offsetMillis;

    Pump(int unit) {
      this.unit = unit;
      this.rng = new SplittableRandom(seed * 0xD1B54A32D192ED03L + unit * 0x9E3779B97F4A7C15L);
      this.lifeMillis = (long) ((4 + 8 * rng.nextDouble()) * DAY_MS);
      this.onsetMillis = (long) (lifeMillis * (0.35 + 0.3 * rng.nextDouble()));
      this.faultMode = faultModes == 1 ? 0 : rng.nextInt(2);
      for (int s = 0; s < spread.length; s++) {
        spread[s] = 1 + 0.03 * gaussian();
      }
    }

    public int unit() {
      return unit;
    }

    /** Time from the pump's start to its failure, its last reading in a run-to-failure series. */
    public long lifeMillis() {
      return lifeMillis;
    }

    /** Where a test series of this pump stops: 30% to 95% of its life, fixed by the seed. */
    public long testEndMillis() {
      SplittableRandom r = new SplittableRandom(seed * 31 + unit * 0x94D049BB133111EBL);
      return (long) (lifeMillis * (0.3 + 0.65 * r.nextDouble()));
    }

    /** Whether there is a reading at or before {@code endMillis} after the last one. */
    public boolean hasNext(long endMillis) {
      return (step + 1) * intervalMillis <= endMillis;
    }

    /** Time of the last reading {@link #next()} gave, from the pump's start (jitter included). */
    public long offsetMillis() {
      return offsetMillis;
    }

    /**
     * The next reading: speed, vibration_rms, bearing_temp, discharge_pressure, flow,
     * motor_current; null for a reading the pump did not send (about one in 500: a gap).
     */
    public double[] next() {
      step++;
      long t = step * intervalMillis;
      if (t >= nextChange) {
        speed = SPEEDS[setPoints == 1 ? 0 : rng.nextInt(setPoints)];
        nextChange = t + (long) ((2 + 10 * rng.nextDouble()) * 3_600_000L);
      }
      // jitter of up to 5% of the interval, never past the next reading's slot
      offsetMillis = t + (long) (0.05 * intervalMillis * rng.nextDouble());
      double jitter = rng.nextDouble();
      if (jitter < 0.002 && step > 0) {
        return null;
      }
      double health = t <= onsetMillis ? 0 : Math.pow((double) (t - onsetMillis) / (lifeMillis - onsetMillis), 2);
      double ratio = speed / NOMINAL_SPEED;
      double[] fault = FAULT[faultMode];
      // affinity laws: flow ~ n, head ~ n², power (and so current above no-load) ~ n³
      double vibration = BASE[0] * spread[0] * ratio * (1 + fault[0] * health);
      double temperature = BASE[1] * spread[1] - 15 * (1 - ratio) + fault[1] * health;
      double pressure = BASE[2] * spread[2] * ratio * ratio * (1 + fault[2] * health);
      double flow = BASE[3] * spread[3] * ratio * (1 + fault[3] * health);
      double current = (18 + (BASE[4] - 18) * ratio * ratio * ratio) * spread[4] * (1 + fault[4] * health);
      return new double[] {
        speed,
        round(Math.max(0, vibration + NOISE[0] * gaussian()), 3),
        round(temperature + NOISE[1] * gaussian(), 2),
        round(Math.max(0, pressure + NOISE[2] * gaussian()), 3),
        round(Math.max(0, flow + NOISE[3] * gaussian()), 2),
        round(Math.max(0, current + NOISE[4] * gaussian()), 2),
      };
    }

    private double gaussian() {
      return SimMath.gaussian(rng);
    }
  }

  private static double round(double v, int digits) {
    return SimMath.round(v, digits);
  }
}
