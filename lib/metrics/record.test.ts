import { describe, expect, it } from "vitest";
import { metrics } from "./metrics";
import { countDelivery, countProviderCall, timeChainLock } from "./record";

/** The value of one series now; metrics live for the whole process, so tests compare before and after. */
async function valueOf(
  metric: { get(): Promise<{ values: Array<{ labels: object; value: number; metricName?: string }> }> },
  labels: object,
  name?: string,
) {
  const { values } = await metric.get();
  const found = values.find(
    (value) =>
      (name === undefined || value.metricName === name) && JSON.stringify(value.labels) === JSON.stringify(labels),
  );
  return found?.value ?? 0;
}

describe("countProviderCall", () => {
  it("counts a throttled attempt by service, with the seconds it was asked to wait", async () => {
    const call = {
      service: "arm" as const,
      method: "PUT",
      path: "/x/providers/Microsoft.Authorization/roleAssignments/1",
      durationMs: 250,
    };
    const labels = { service: "arm", operation: "roleAssignments.create", status: "429" };
    const before = {
      calls: await valueOf(metrics.providerCalls, labels),
      throttled: await valueOf(metrics.providerThrottled, { service: "arm" }),
      waited: await valueOf(metrics.providerRetryAfter, { service: "arm" }),
    };
    countProviderCall({ ...call, status: 429 }, 7);
    countProviderCall({ ...call, status: 201 }, undefined);
    expect(await valueOf(metrics.providerCalls, labels)).toBe(before.calls + 1);
    expect(await valueOf(metrics.providerThrottled, { service: "arm" })).toBe(before.throttled + 1);
    expect(await valueOf(metrics.providerRetryAfter, { service: "arm" })).toBe(before.waited + 7);
  });
});

describe("timeChainLock", () => {
  it("observes the first take of the lock in a transaction only: taking it again is free", async () => {
    const countNow = () => valueOf(metrics.auditAppendWait, {}, "aks_jit_audit_append_wait_seconds_count");
    const before = await countNow();
    const tx = {};
    for (let take = 0; take < 3; take += 1) expect(await timeChainLock(tx, async () => take)).toBe(take);
    await timeChainLock({}, async () => undefined);
    expect(await countNow()).toBe(before + 2);
  });
});

describe("countDelivery", () => {
  it("counts a failed delivery and rethrows it, for the queue to retry", async () => {
    const failed = { channel: "slack", outcome: "failed" };
    const before = await valueOf(metrics.notificationDeliveries, failed);
    await expect(countDelivery("slack", Promise.reject(new Error("webhook 500")))).rejects.toThrow("webhook 500");
    expect(await valueOf(metrics.notificationDeliveries, failed)).toBe(before + 1);
  });
});
