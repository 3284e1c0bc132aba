import { describe, expect, it } from "vitest";
import { endAfterWithdrawal, endWhenCovered } from "./grant-ledger";

const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);

describe("covering a grant: its end is the latest of its covers' ends", () => {
  it.each([
    { current: undefined, requested: "10:00", end: "10:00", why: "a new grant ends with its first cover" },
    { current: "10:00", requested: "11:00", end: "11:00", why: "a later cover pushes the end out" },
    { current: "11:00", requested: "10:00", end: "11:00", why: "an earlier cover never pulls it in" },
    { current: "10:00", requested: "10:00", end: "10:00", why: "covering again to the same end changes nothing" },
  ])("$why", ({ current, requested, end }) => {
    expect(endWhenCovered(current ? at(current) : undefined, at(requested))).toEqual(at(end));
  });
});

describe("withdrawing a cover", () => {
  it.each([
    { others: [], now: "09:30", result: { isOrphan: true, endAt: "09:30" }, why: "an orphan ends now" },
    { others: ["11:00"], now: "09:30", result: { isOrphan: false, endAt: "11:00" }, why: "another cover keeps it" },
    {
      others: ["10:00", "12:00", "11:00"],
      now: "09:30",
      result: { isOrphan: false, endAt: "12:00" },
      why: "it ends with the latest cover left",
    },
    {
      others: ["10:00"],
      now: "09:30",
      result: { isOrphan: false, endAt: "10:00" },
      why: "a withdrawn longer cover shortens it to the others' end, not to now",
    },
  ])("$why", ({ others, now, result }) => {
    expect(endAfterWithdrawal(others.map(at), at(now))).toEqual({ ...result, endAt: at(result.endAt) });
  });
});

/**
 * Guards against two overlapping requests removing each other's access early: a grant covered by
 * both, played through in every order, ends only when no cover is left, and never before a cover's end.
 */
describe("two overlapping requests on one binding", () => {
  type Step = { cover: string; until: string } | { withdraw: string; at: string };
  function play(steps: Step[]) {
    const covers = new Map<string, Date>();
    let end: Date | undefined;
    const ends: Array<{ endAt: string; isOrphan: boolean }> = [];
    for (const step of steps) {
      if ("cover" in step) {
        covers.set(step.cover, at(step.until));
        end = endWhenCovered(end, at(step.until));
        ends.push({ endAt: end.toISOString().slice(11, 16), isOrphan: false });
      } else {
        covers.delete(step.withdraw);
        const next = endAfterWithdrawal([...covers.values()], at(step.at));
        end = next.isOrphan ? undefined : next.endAt;
        ends.push({ endAt: next.endAt.toISOString().slice(11, 16), isOrphan: next.isOrphan });
      }
    }
    return ends;
  }

  it.each<{ why: string; steps: Step[]; ends: string[] }>([
    {
      why: "the shorter request ends early: the longer keeps its access to its own end",
      steps: [
        { cover: "a", until: "10:00" },
        { cover: "b", until: "11:00" },
        { withdraw: "a", at: "09:30" },
        { withdraw: "b", at: "09:45" },
      ],
      ends: ["10:00", "11:00", "11:00", "09:45 orphan"],
    },
    {
      why: "the longer request ends early: the shorter keeps its access to its own end",
      steps: [
        { cover: "a", until: "11:00" },
        { cover: "b", until: "10:00" },
        { withdraw: "a", at: "09:30" },
        { withdraw: "b", at: "09:40" },
      ],
      ends: ["11:00", "11:00", "10:00", "09:40 orphan"],
    },
    {
      why: "an activation that fails beside an active request leaves the active one's access",
      steps: [
        { cover: "active", until: "10:00" },
        { cover: "failing", until: "12:00" },
        { withdraw: "failing", at: "09:05" },
      ],
      ends: ["10:00", "12:00", "10:00"],
    },
    {
      why: "a request that covers again after its grant was orphaned starts a new period",
      steps: [
        { cover: "a", until: "10:00" },
        { withdraw: "a", at: "09:30" },
        { cover: "b", until: "11:00" },
      ],
      ends: ["10:00", "09:30 orphan", "11:00"],
    },
  ])("$why", ({ steps, ends }) => {
    expect(play(steps).map((e) => `${e.endAt}${e.isOrphan ? " orphan" : ""}`)).toEqual(ends);
  });
});
