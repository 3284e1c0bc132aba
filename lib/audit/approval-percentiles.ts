/*
 * Percentiles of approval delays from sorted runs: each closed month's delays of a cluster, and the
 * window's other days, each sorted by PostgreSQL and packed as big-endian float8 (microseconds, whole
 * numbers). The percentile is PostgreSQL's percentile_cont (linear interpolation between the two
 * values around p·(n−1)), so the charts read the same as when PostgreSQL sorted every delay; the
 * values at those ranks are found by binary search over the runs, without merging them. Pure.
 */

/** A run of delays, sorted ascending. */
export type SortedRun = Float64Array;

/** Unpacks `string_agg(float8send(x), '' ORDER BY x)`. */
export function unpackRun(bytes: Uint8Array): SortedRun {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const run = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < run.length; i++) run[i] = view.getFloat64(i * 8, false);
  return run;
}

/** How many values of the run are at most `value`. */
function countAtMost(run: SortedRun, value: number): number {
  let low = 0;
  let high = run.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (run[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The value of rank `k` (0-based) among all the runs' values, which are whole numbers: the least
 * whole number that at least k + 1 values are at most, which is one of the values.
 */
function valueOfRank(runs: readonly SortedRun[], k: number): number {
  let low = Math.min(...runs.filter((run) => run.length > 0).map((run) => run[0]!));
  let high = Math.max(...runs.filter((run) => run.length > 0).map((run) => run[run.length - 1]!));
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    let atMost = 0;
    for (const run of runs) atMost += countAtMost(run, mid);
    if (atMost > k) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** percentile_cont(fraction) over every value of the runs; null when there are none. */
export function percentileOfRuns(runs: readonly SortedRun[], fraction: number): number | null {
  const total = runs.reduce((sum, run) => sum + run.length, 0);
  if (total === 0) return null;
  const position = fraction * (total - 1);
  const lower = Math.floor(position);
  const first = valueOfRank(runs, lower);
  if (position === lower) return first;
  const second = valueOfRank(runs, lower + 1);
  return first + (second - first) * (position - lower);
}
