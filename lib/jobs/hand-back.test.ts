import { describe, expect, it } from "vitest";
import { handBack } from "./hand-back";

const gone = () => Object.assign(new Error("Connection terminated unexpectedly"), {});
const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
const noWait = { sleep: async () => undefined };
const held = { id: "job-1", retryCount: 2 };

/** A queue whose job is in `state`, and whose `fail` answers each call with the next outcome. */
function queueWith(state: string, outcomes: Array<"lands" | "lands, then the connection dies" | "dies" | "refused">) {
  const job = { id: "job-1", state, retryCount: 2 };
  const calls: string[] = [];
  let down = 0;
  return {
    calls,
    job,
    boss: {
      fail: async () => {
        calls.push("fail");
        const outcome = outcomes.shift() ?? "lands";
        if (outcome === "lands" || outcome === "lands, then the connection dies") {
          job.state = "retry";
          job.retryCount += 1;
        }
        if (outcome === "lands, then the connection dies" || outcome === "dies") {
          down = 1;
          throw gone();
        }
        if (outcome === "refused") throw refused();
      },
      getJobById: async () => {
        calls.push("get");
        if (down-- > 0) throw refused();
        return job as never;
      },
    },
  };
}

describe("handing a failed job back", () => {
  it("sends `fail` once when the database takes it", async () => {
    const queue = queueWith("active", ["lands"]);
    await handBack(queue.boss as never, "activate", held, "boom", noWait);
    expect(queue.calls).toEqual(["fail"]);
    expect(queue.job).toMatchObject({ state: "retry", retryCount: 3 });
  });

  it("sends it again once the database is back when it did not land", async () => {
    const queue = queueWith("active", ["dies", "refused", "lands"]);
    await handBack(queue.boss as never, "activate", held, "boom", noWait);
    expect(queue.calls).toEqual(["fail", "get", "get", "fail", "get", "fail"]);
    expect(queue.job).toMatchObject({ state: "retry", retryCount: 3 });
  });

  it("does not send it again when the first one landed before its connection died", async () => {
    const queue = queueWith("active", ["lands, then the connection dies"]);
    await handBack(queue.boss as never, "activate", held, "boom", noWait);
    expect(queue.calls).toEqual(["fail", "get", "get"]);
    expect(queue.job).toMatchObject({ state: "retry", retryCount: 3 });
  });

  it("leaves alone a retry another worker already holds", async () => {
    const queue = queueWith("active", ["dies"]);
    queue.job.retryCount = 3; // the retry our lost `fail` scheduled, now active elsewhere
    await handBack(queue.boss as never, "activate", held, "boom", noWait);
    expect(queue.calls).toEqual(["fail", "get", "get"]);
    expect(queue.job).toMatchObject({ state: "active", retryCount: 3 });
  });

  it("gives up with the error when it is not the database going away, or after its time", async () => {
    const failing = { fail: async () => Promise.reject(new Error("bad job id")), getJobById: async () => null };
    await expect(handBack(failing as never, "activate", held, "boom", noWait)).rejects.toThrow("bad job id");
    const down = { fail: async () => Promise.reject(gone()), getJobById: async () => Promise.reject(refused()) };
    await expect(handBack(down as never, "activate", held, "boom", { withinMs: 0, ...noWait })).rejects.toThrow(
      /terminated/,
    );
  });
});
