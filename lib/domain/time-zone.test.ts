import { describe, expect, it } from "vitest";
import {
  formatInZone,
  formatUtc,
  isSupportedTimeZone,
  parseWallTime,
  presetRange,
  toWallTime,
  viewerZone,
} from "./time-zone";

describe("isSupportedTimeZone", () => {
  it.each([
    ["UTC", true],
    ["Asia/Kolkata", true], // what browsers report; ICU's canonical name is Asia/Calcutta
    ["Asia/Calcutta", true],
    ["Europe/Paris", true],
    ["America/New_York", true],
    ["Etc/UTC", true],
    ["Mars/Olympus_Mons", false],
    ["", false],
    ["Europe/Paris; DROP TABLE users", false],
    ["x".repeat(65), false],
  ])("%s → %s", (zone, expected) => {
    expect(isSupportedTimeZone(zone)).toBe(expected);
  });

  it("falls back to UTC for a stored zone that is missing or no longer valid", () => {
    expect(viewerZone(null)).toBe("UTC");
    expect(viewerZone("Nowhere/Else")).toBe("UTC");
    expect(viewerZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(viewerZone("Etc/UTC")).toBe("UTC");
  });
});

describe("formatting", () => {
  const at = new Date("2026-12-05T13:33:26Z");
  it("writes the instant in the viewer's zone with its offset, 24-hour", () => {
    expect(formatInZone(at, "Asia/Kolkata")).toBe("5 Dec 2026, 19:03:26 GMT+5:30");
    expect(formatInZone(new Date("2026-12-05T23:05:00Z"), "America/New_York")).toBe("5 Dec 2026, 18:05:00 GMT-5");
  });
  it("says UTC when it is UTC", () => {
    expect(formatUtc(at)).toBe("5 Dec 2026, 13:33:26 UTC");
    expect(formatInZone(at, "UTC")).toBe("5 Dec 2026, 13:33:26 UTC");
  });
});

describe("wall times typed as YYYY-MM-DD HH:MM", () => {
  it.each([
    ["2026-12-05 19:03", "Asia/Kolkata", "2026-12-05T13:33:00.000Z"],
    ["2026-12-05T19:03", "Asia/Kolkata", "2026-12-05T13:33:00.000Z"],
    ["2026-12-05 00:00", "UTC", "2026-12-05T00:00:00.000Z"],
    ["2026-07-01 09:00:30", "Europe/Paris", "2026-07-01T07:00:30.000Z"], // summer: UTC+2
    ["2026-01-01 09:00", "Europe/Paris", "2026-01-01T08:00:00.000Z"], // winter: UTC+1
    // clocks go forward at 02:00 on 29 March 2026 in Paris: 02:30 does not exist and reads as 03:30
    ["2026-03-29 02:30", "Europe/Paris", "2026-03-29T01:30:00.000Z"],
    // clocks go back at 03:00 on 25 October 2026: 02:30 happens twice, the first is taken
    ["2026-10-25 02:30", "Europe/Paris", "2026-10-25T00:30:00.000Z"],
  ])("%s in %s → %s", (text, zone, iso) => {
    expect(parseWallTime(text, zone)?.toISOString()).toBe(iso);
  });

  it.each(["12/05/2026 7:03 PM", "2026-02-30 10:00", "2026-12-05 24:00", "2026-12-05", "tomorrow"])(
    "refuses %s",
    (text) => {
      expect(parseWallTime(text, "UTC")).toBeNull();
    },
  );

  it("shows an instant back in the zone, as it is typed", () => {
    expect(toWallTime(new Date("2026-12-05T13:33:00Z"), "Asia/Kolkata")).toBe("2026-12-05 19:03");
    expect(toWallTime(new Date("2026-12-05T13:33:20Z"), "UTC")).toBe("2026-12-05 13:33:20");
  });
});

describe("presetRange", () => {
  // 20:00 UTC on 5 December is already 6 December in Kolkata: the presets follow the viewer's day.
  const now = new Date("2026-12-05T20:00:00Z");
  it.each([
    ["today", "2026-12-06 00:00", "2026-12-07 00:00"],
    ["7d", "2026-11-30 00:00", "2026-12-07 00:00"],
    ["30d", "2026-11-07 00:00", "2026-12-07 00:00"],
  ] as const)("%s in Asia/Kolkata", (preset, from, to) => {
    expect(presetRange(preset, now, "Asia/Kolkata")).toEqual({ from, to });
  });
  it("today in UTC", () => {
    expect(presetRange("today", now, "UTC")).toEqual({ from: "2026-12-05 00:00", to: "2026-12-06 00:00" });
  });
});
