import { describe, expect, it } from "vitest";
import { describeDuration, durationMs, parseIsoDuration, toIsoDuration } from "./duration";

const MINUTE = 60_000;

describe("ISO 8601 durations as Azure accepts them (durationMs)", () => {
  it.each([
    ["PT8H", 8 * 60 * MINUTE],
    ["P180D", 180 * 24 * 60 * MINUTE],
    ["PT90M", 90 * MINUTE],
    ["P1DT2H", 26 * 60 * MINUTE],
    ["P1W", 7 * 24 * 60 * MINUTE],
    ["P1W1D", 8 * 24 * 60 * MINUTE],
    ["PT30S", 30_000],
    ["PT0.5S", 500],
    ["PT1H1M1.25S", (61 * 60 + 1.25) * 1000],
    ["pt8h", 8 * 60 * MINUTE],
    ["PT0S", 0],
  ])("%s is %i ms", (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each([
    "",
    "P",
    "PT",
    "P1DT",
    "P1Y",
    "P1M",
    "PT1.5H",
    "PT1.5M",
    "PT-1H",
    "1h",
    " PT1H",
    "PT1H ",
    "P1D2H",
    "PT1S1M",
  ])("refuses %j", (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe("ISO 8601 durations as the workflow accepts them (parseIsoDuration)", () => {
  it.each([
    ["PT1H", 60],
    ["PT30M", 30],
    ["PT1H30M", 90],
    ["P1D", 1440],
    ["P7D", 10080],
    ["P1DT2H", 1560],
  ])("%s is %i minutes", (text, minutes) => {
    expect(parseIsoDuration(text)).toBe(minutes);
    expect(parseIsoDuration(toIsoDuration(minutes))).toBe(minutes);
    expect(durationMs(text)).toBe(minutes * MINUTE);
  });

  it.each([
    "",
    "P",
    "PT",
    "PT0M",
    "P1DT",
    "PT1S",
    "P1M",
    "P1Y",
    "P1W",
    "1h",
    "PT-1H",
    "PT1.5H",
    "pt8h",
    " PT1H",
    "P0DT0M",
    "PT1H0.5S",
  ])("refuses %j", (text) => {
    expect(parseIsoDuration(text)).toBeUndefined();
  });

  it.each([
    [60, "PT1H", "1 h"],
    [90, "PT1H30M", "1 h 30 min"],
    [1500, "P1DT1H", "1 d 1 h"],
  ])("%i minutes is written %s and said %s", (minutes, iso, words) => {
    expect(toIsoDuration(minutes)).toBe(iso);
    expect(describeDuration(minutes)).toBe(words);
  });
});
