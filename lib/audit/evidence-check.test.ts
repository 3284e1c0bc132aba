import { describe, expect, it } from "vitest";
import { summariseActivity } from "@/lib/activity/summarise";
import { chainHash } from "./chain";
import { activityOf, checkEvidencePack, eventsAsCsv, type EvidencePack, type PackEvent } from "./evidence-check";

/** A /3 pack's activity summary must say what its chained `activity.summarised` event says. */

const REQUEST_ID = "0b3c2d39-6f1c-4a7e-9a55-3f6a1d8c2b10";
const summary = summariseActivity({
  requestId: REQUEST_ID,
  clusterName: "aks-prod-weu",
  holder: { id: "9a4140a5-ae17-414a-9737-f41d31b6d0fd", userPrincipalName: "n01@contoso.com" },
  window: {
    from: new Date("2026-12-01T10:00:00Z"),
    accessEnd: new Date("2026-12-01T11:00:00Z"),
    to: new Date("2026-12-01T12:15:00Z"),
    isComplete: true,
  },
  queriedAt: new Date("2026-12-01T12:31:00Z"),
  kubernetes: null,
  nodeSignIns: null,
  problems: [{ code: "not-collected", message: "m", fix: "f" }],
});

function packWith(types: string[]): EvidencePack {
  let prevHash = "genesis";
  const events: PackEvent[] = types.map((type, i) => {
    const content = {
      seq: String(i + 1),
      id: `00000000-0000-4000-8000-00000000000${i}`,
      occurredAt: new Date(Date.UTC(2026, 11, 1, 12, i)).toISOString(),
      type,
      actorId: null,
      actorUpn: null,
      subjectId: REQUEST_ID,
      requestId: REQUEST_ID,
      correlationId: null,
      data: type === "activity.summarised" ? { ...summary, actorKind: "system" } : { to: "expired" },
      prevHash,
    };
    const event = { ...content, hash: chainHash(prevHash, content) };
    prevHash = event.hash;
    return event;
  });
  return {
    format: "aks-jit-evidence/3",
    generatedAt: "2026-12-02T00:00:00.000Z",
    generatedBy: "aud01@contoso.com",
    requestId: REQUEST_ID,
    request: { id: REQUEST_ID, clusterName: "aks-prod-weu", activeFrom: null } as unknown as EvidencePack["request"],
    events,
    eventsCsv: eventsAsCsv(events),
    chain: events.map(({ seq, prevHash: p, hash }) => ({ seq, prevHash: p, hash })),
    postureAtGrant: null,
    activity: activityOf(events),
  };
}

describe("checkEvidencePack: activity", () => {
  it("passes a pack whose activity is its latest activity event's summary, and says so", () => {
    const pack = packWith(["request.expired", "activity.summarised"]);
    expect(pack.activity).toEqual({ summary, eventSeq: "2" });
    expect(checkEvidencePack(pack)).toMatchObject({
      isValid: true,
      activity: expect.stringContaining("unavailable (not-collected)"),
    });
  });

  it.each([
    [
      "an edited summary",
      (p: EvidencePack) => (p.activity!.summary.clusterName = "aks-dev-weu"),
      "does not match its activity event seq 2",
    ],
    [
      "another event's seq",
      (p: EvidencePack) => (p.activity!.eventSeq = "1"),
      "is not the latest activity event's (seq 2)",
    ],
    ["no activity field", (p: EvidencePack) => delete p.activity, "it has no activity, which its format requires"],
    [
      "a summary left out",
      (p: EvidencePack) => (p.activity = null),
      "it leaves out the activity summary its events hold",
    ],
  ])("fails %s", (_, edit, problem) => {
    const pack = packWith(["request.expired", "activity.summarised"]);
    edit(pack);
    const check = checkEvidencePack(pack);
    expect(check.isValid).toBe(false);
    expect(!check.isValid && check.problem).toContain(problem);
  });

  it("passes a pack without activity events when it says null, and a /2 pack without the field", () => {
    expect(checkEvidencePack(packWith(["request.expired"]))).toMatchObject({ isValid: true, activity: null });
    const older = { ...packWith(["request.expired"]), format: "aks-jit-evidence/2" as const };
    delete older.activity;
    expect(checkEvidencePack(older)).toMatchObject({ isValid: true });
  });
});
