import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { percentileOfRuns, unpackRun } from "./approval-percentiles";

/**
 * PostgreSQL's percentile_cont over one sorted array, as percentile_cont_final_common computes it
 * (src/backend/utils/adt/orderedsetaggs.c): rows floor and ceil of p·(n−1), 0-based, and
 * lo + (hi − lo) · (p·(n−1) − floor).
 */
function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const firstRow = Math.floor(fraction * (sorted.length - 1));
  const secondRow = Math.ceil(fraction * (sorted.length - 1));
  const first = sorted[firstRow]!;
  if (firstRow === secondRow) return first;
  return first + (sorted[secondRow]! - first) * (fraction * (sorted.length - 1) - firstRow);
}

const runOf = (values: number[]) => Float64Array.from([...values].sort((a, b) => a - b));

describe("percentileOfRuns", () => {
  it("is PostgreSQL's percentile_cont over all the runs' values together", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -5, max: 10_000_000_000 }), { maxLength: 40 }), { maxLength: 8 }),
        fc.constantFrom(0, 0.5, 0.9, 1),
        (runs, fraction) => {
          expect(percentileOfRuns(runs.map(runOf), fraction)).toBe(percentileCont(runs.flat(), fraction));
        },
      ),
    );
  });

  it("interpolates between the two values around the rank, and has nothing to say of no values", () => {
    expect(percentileOfRuns([runOf([10, 40]), runOf([20])], 0.5)).toBe(20);
    expect(percentileOfRuns([runOf([10, 40]), runOf([20, 30])], 0.5)).toBe(25);
    expect(percentileOfRuns([runOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], 0.9)).toBeCloseTo(9.1, 10);
    expect(percentileOfRuns([runOf([]), runOf([])], 0.5)).toBeNull();
  });
});

describe("unpackRun", () => {
  it("reads big-endian float8 as PostgreSQL's float8send writes them", () => {
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    [1.5, 86_400_000_000, -3].forEach((value, i) => view.setFloat64(i * 8, value, false));
    expect([...unpackRun(bytes.subarray(0, 24))]).toEqual([1.5, 86_400_000_000, -3]);
  });
});
