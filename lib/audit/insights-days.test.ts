import { describe, expect, it } from "vitest";
import { perDay, seriesByDay, windowSchema } from "./insights-days";

const now = new Date("2026-11-23T22:30:00Z");
const parse = (input: Record<string, unknown>) => windowSchema(now).safeParse(input);
const problems = (input: Record<string, unknown>) =>
  parse(input).error?.issues.map((issue) => [issue.path.join("."), issue.message]);

describe("the charts' window", () => {
  it.each<[string, Record<string, unknown>, { from: string; to: string; days: number }]>([
    ["nothing: the last 30 days, today included", {}, { from: "2026-10-25", to: "2026-11-23", days: 30 }],
    ["empty form fields, as nothing", { from: " ", to: "" }, { from: "2026-10-25", to: "2026-11-23", days: 30 }],
    ["only To: the 30 days ending then", { to: "2026-03-01" }, { from: "2026-01-31", to: "2026-03-01", days: 30 }],
    ["only From: until today", { from: "2026-11-01" }, { from: "2026-11-01", to: "2026-11-23", days: 23 }],
    ["one day", { from: "2026-05-05", to: "2026-05-05" }, { from: "2026-05-05", to: "2026-05-05", days: 1 }],
    [
      "a leap year, 366 days",
      { from: "2024-01-01", to: "2024-12-31" },
      { from: "2024-01-01", to: "2024-12-31", days: 366 },
    ],
  ])("%s", (_, input, expected) => {
    const window = parse(input).data!;
    expect({ from: window.from, to: window.to, days: window.days.length }).toEqual(expected);
    expect(window.days[0]).toBe(expected.from);
    expect(window.days.at(-1)).toBe(expected.to);
    expect(window.start.toISOString()).toBe(`${expected.from}T00:00:00.000Z`);
    expect(window.end.getTime() - window.start.getTime()).toBe(expected.days * 24 * 3_600_000);
  });

  it("counts days in UTC across a daylight-saving change", () => {
    expect(parse({ from: "2026-03-28", to: "2026-03-30" }).data!.days).toEqual([
      "2026-03-28",
      "2026-03-29",
      "2026-03-30",
    ]);
  });

  it.each<[string, Record<string, unknown>, Array<[string, string]>]>([
    ["To before From", { from: "2026-11-02", to: "2026-11-01" }, [["to", "Make To the same day as From or later."]]],
    [
      "more than 366 days",
      { from: "2025-01-01", to: "2026-01-02" },
      [["from", "Choose at most 366 days: this window has 367."]],
    ],
    ["a day that does not exist", { from: "2026-02-30" }, [["from", "Give From as a date, e.g. 2026-11-23."]]],
    ["a time, not a date", { to: "2026-11-23T08:00:00Z" }, [["to", "Give To as a date, e.g. 2026-11-23."]]],
  ])("refuses %s", (_, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});

describe("per-day counts", () => {
  const days = ["2026-11-01", "2026-11-02", "2026-11-03"];

  it("fills the days without rows with zeros and ignores rows outside the days", () => {
    expect(
      perDay(days, [
        { day: "2026-11-03", count: 4 },
        { day: "2026-10-31", count: 9 },
        { day: "2026-11-01", count: 1 },
      ]),
    ).toEqual([1, 0, 4]);
  });

  it("groups rows into one series per key, largest total first, then by name", () => {
    const rows = [
      { day: "2026-11-01", cluster: "dev", count: 2 },
      { day: "2026-11-02", cluster: "prod", count: 1 },
      { day: "2026-11-03", cluster: "prod", count: 1 },
      { day: "2026-11-03", cluster: "dev", count: 0 },
      { day: "2026-11-02", cluster: "aks", count: 2 },
    ];
    const series = seriesByDay(
      days,
      rows,
      (row) => row.cluster,
      (key) => key,
    );
    expect(series).toEqual([
      { key: "aks", total: 2, perDay: [0, 2, 0] },
      { key: "dev", total: 2, perDay: [2, 0, 0] },
      { key: "prod", total: 2, perDay: [0, 1, 1] },
    ]);
  });
});
