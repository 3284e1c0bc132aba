import { describe, expect, it } from "vitest";
import { describeDuration, parseIsoDuration, toIsoDuration } from "./duration";

describe("ISO 8601 durations", () => {
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
