/** What `judgeGrowth` concluded about a series of samples. */
export interface Growth {
  /** Lower median of the second quarter (after warm-up). */
  early: number;
  /** Lower median of the last quarter. */
  late: number;
  /** `false` when the late level is above both allowances. */
  bounded: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * Decides whether a resource (RSS, descriptors) sampled at even intervals
 * under steady load grew without bound: the median of the last quarter may
 * exceed the median of the second quarter (the first is warm-up) by `ratio`
 * or by `slack`, whichever is larger. Load is random, so single samples
 * spike; medians of quarters do not.
 *
 * @example
 * ```ts
 * judgeGrowth([50, 60, 61, 60, 62, 61, 60, 61], { ratio: 1.5, slack: 32 }).bounded; // true
 * ```
 */
export function judgeGrowth(samples: number[], limits: { ratio: number; slack: number }): Growth {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const early = median(samples.slice(quarter, 2 * quarter));
  const late = median(samples.slice(-quarter));
  const allowed = Math.max(early * limits.ratio, early + limits.slack);
  return { early, late, bounded: late <= allowed };
}
