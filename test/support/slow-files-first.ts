import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The integration files that wait longest on real time (a grant's minute to run out, a dead
 * worker's job timeout, migrations on three PostgreSQL versions) start first, so that they run
 * beside the rest rather than after it. Vitest orders files by their last run's duration when it
 * has one, but on a first run (CI's fresh clone) by size, which would leave these for last.
 */
const SLOW_FIRST = ["expiry-on-time", "job-resilience", "migrations", "api-fuzz", "notifications", "doctor"];

const rank = (spec: TestSpecification) => {
  const index = SLOW_FIRST.findIndex((name) => spec.moduleId.endsWith(`/test/integration/${name}.test.ts`));
  return index === -1 ? SLOW_FIRST.length : index;
};

export class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Only integration files move, among the places they already hold: other projects keep theirs.
    const places = sorted.flatMap((spec, place) => (spec.project.name === "integration" ? [place] : []));
    const integration = places.map((place) => sorted[place]!);
    const reordered = integration
      .map((spec, order) => ({ spec, order }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order)
      .map(({ spec }) => spec);
    places.forEach((place, i) => (sorted[place] = reordered[i]!));
    return sorted;
  }
}
