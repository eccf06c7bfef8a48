package dev.pdm.ingest.sim;

import java.util.SplittableRandom;

/** The simulators' arithmetic: noise from an asset's own generator, and readings rounded as sensors report them. */
final class SimMath {

  private SimMath() {}

  /** A standard normal draw (Box-Muller) from {@code rng}: every series stays independent of the others. */
  static double gaussian(SplittableRandom rng) {
    double u1 = 1 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  static double round(double v, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(v * scale) / scale;
  }
}
