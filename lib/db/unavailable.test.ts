import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable";

/** Errors seen while PostgreSQL restarted under load (test:replicas), and ones that are not outages. */
describe("isDatabaseUnavailable", () => {
  const adapterError = (payload: object) =>
    Object.assign(new Error("x"), { name: "DriverAdapterError", cause: payload });

  it.each([
    ["Prisma cannot reach the server", Object.assign(new Error("Can't reach database server"), { code: "P1001" })],
    ["the pool timed out", Object.assign(new Error("Timed out fetching a new connection"), { code: "P2024" })],
    ["the server was shut down (restart, failover)", adapterError({ kind: "postgres", originalCode: "57P01" })],
    ["the adapter's socket failed", adapterError({ kind: "DatabaseNotReachable", host: "db", port: 5432 })],
    [
      "a refused connection, wrapped",
      new Error("job failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }),
    ],
    ["too many connections", Object.assign(new Error("sorry, too many clients"), { code: "53300" })],
    [
      "a raw query cut off by the server's shutdown",
      Object.assign(new Error("Raw query failed. Code: `57P01`."), {
        code: "P2010",
        meta: { driverAdapterError: adapterError({ kind: "postgres", originalCode: "57P01" }) },
      }),
    ],
    [
      "no connection free within the transaction's wait",
      Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), {
        code: "P2028",
      }),
    ],
    [
      "the same, as its message says it",
      Object.assign(new Error("Raw query failed. Code: `57P01`. Message: `terminating connection`"), { code: "P2010" }),
    ],
  ])("%s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation", Object.assign(new Error("duplicate"), { code: "P2002" })],
    ["a constraint in the database", adapterError({ kind: "UniqueConstraintViolation", originalCode: "23505" })],
    ["a plain bug", new TypeError("undefined is not a function")],
    [
      "a raw query with a syntax error",
      Object.assign(new Error("Raw query failed."), {
        code: "P2010",
        meta: { code: "42601", message: "syntax error" },
      }),
    ],
    [
      "a transaction that outlived its timeout",
      Object.assign(new Error("Transaction API error: Transaction already closed."), { code: "P2028" }),
    ],
    ["not an error", "text"],
  ])("not %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
