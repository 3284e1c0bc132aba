import { describe, expect, it } from "vitest";
import { isConnectFailure, isDatabaseGone, queryThroughRestart } from "./reconnect";

const failure = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("queryThroughRestart", () => {
  it("sends the statement again while the server is restarting, and returns its answer", async () => {
    const answers = [failure("57P03", "the database system is shutting down"), failure("ECONNREFUSED")];
    let calls = 0;
    const result = await queryThroughRestart(async () => {
      calls += 1;
      const next = answers.shift();
      if (next) throw next;
      return "rows";
    });
    expect(result).toBe("rows");
    expect(calls).toBe(3);
  });

  it("never sends again a statement that may have reached the server", async () => {
    let calls = 0;
    const run = async () => {
      calls += 1;
      throw failure("57P01", "terminating connection due to administrator command");
    };
    await expect(queryThroughRestart(run)).rejects.toThrow(/administrator command/);
    expect(calls).toBe(1);
  });

  it("tries again only within its time, then gives up with the last error", async () => {
    let calls = 0;
    const run = async () => {
      calls += 1;
      throw failure("ECONNREFUSED");
    };
    // 300 ms allow one wait of 250 ms, not the next of 500 ms.
    await expect(queryThroughRestart(run, 300)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(calls).toBe(2);
  });
});

describe("what counts as the database going away", () => {
  it.each([
    ["57P03", "the database system is shutting down", true, true],
    ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432", true, true],
    ["57P01", "terminating connection due to administrator command", false, true],
    ["08006", "connection failure", false, true],
    ["ECONNRESET", "read ECONNRESET", false, true],
    ["23505", "duplicate key value violates unique constraint", false, false],
  ])("%s", (code, message, isConnect, isGone) => {
    expect(isConnectFailure(failure(code, message))).toBe(isConnect);
    expect(isDatabaseGone(failure(code, message))).toBe(isGone);
  });

  it("counts a connection the server ended, and nothing that is not an error", () => {
    expect(isDatabaseGone(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseGone(undefined)).toBe(false);
    expect(isDatabaseGone("boom")).toBe(false);
  });
});
