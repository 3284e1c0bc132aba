import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { normalisePath, principalOf, registerCalls } from "./calls";
import type { EmulatorContext } from "./context";
import { Router, type EmulatorRequest } from "./http";

const USER = "9a4140a5-ae17-414a-9737-f41d31b6d0fd";
const ASSIGNMENT =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.Authorization/roleAssignments/5d0b7a1e-0d7c-4d8f-9a51-3a0e3c5f1b2d";

const request = (method: string, path: string, body: Record<string, unknown> = {}): EmulatorRequest => ({
  method,
  url: new URL(path, "https://emulator.test"),
  headers: {},
  params: {},
  body,
});

describe("normalisePath", () => {
  it("names every id {id}, in either case", () => {
    expect(normalisePath(ASSIGNMENT)).toBe(
      "/subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments/{id}",
    );
    expect(normalisePath(`/v1.0/users/${USER.toUpperCase()}/sendMail`)).toBe("/v1.0/users/{id}/sendMail");
  });
});

describe("principalOf", () => {
  it.each([
    ["a PIM schedule request", request("POST", "/v1.0/x/assignmentScheduleRequests", { principalId: USER })],
    ["an ARM role assignment", request("PUT", ASSIGNMENT, { properties: { principalId: USER.toUpperCase() } })],
    ["a user's own endpoint", request("POST", `/v1.0/users/${USER}/revokeSignInSessions`)],
    ["a group member reference", request("DELETE", `/v1.0/groups/g/members/${USER}/$ref`)],
  ])("reads it from %s", (_what, req) => {
    expect(principalOf(req, new Map())).toBe(USER);
  });

  it("names the principal of a deleted role assignment from the PUT that made it", () => {
    const named = new Map<string, string>();
    principalOf(request("PUT", ASSIGNMENT, { properties: { principalId: USER } }), named);
    expect(principalOf(request("DELETE", ASSIGNMENT.toLowerCase()), named)).toBe(USER);
    expect(principalOf(request("DELETE", `${ASSIGNMENT}0`), named)).toBeNull();
  });
});

describe("registerCalls", () => {
  it("logs each served call with its status, and the log can be emptied", async () => {
    const router = new Router();
    router.on("POST", "/v1.0/x/assignmentScheduleRequests", (_req, res) => {
      res.statusCode = 201;
    });
    registerCalls(router, { now: () => new Date("2026-12-05T00:00:00Z") } as EmulatorContext);
    const res = { statusCode: 200, setHeader: () => undefined, hasHeader: () => false } as unknown as ServerResponse;
    const body = { principalId: USER, action: "adminAssign" };
    await router
      .match("POST", "/v1.0/x/assignmentScheduleRequests")!
      .handler(request("POST", "/v1.0/x/assignmentScheduleRequests", body), res);

    const log = await answer(router, "GET");
    expect(log.counts).toEqual({ "POST /v1.0/x/assignmentScheduleRequests adminAssign": 1 });
    expect(log.calls).toEqual([
      {
        method: "POST",
        path: "/v1.0/x/assignmentScheduleRequests",
        action: "adminAssign",
        principalId: USER,
        status: 201,
        at: "2026-12-05T00:00:00.000Z",
      },
    ]);
    await answer(router, "DELETE");
    expect((await answer(router, "GET")).calls).toEqual([]);
  });
});

/** Calls GET or DELETE /_emulator/calls and returns the JSON it answered. */
async function answer(router: Router, method: "GET" | "DELETE") {
  let sent = "";
  const res = {
    headersSent: false,
    hasHeader: () => false,
    setHeader: () => undefined,
    writeHead: () => res,
    end: (chunk: string) => (sent = chunk),
    req: { url: "/_emulator/calls", headers: {} },
  } as unknown as ServerResponse;
  await router.match(method, "/_emulator/calls")!.handler(request(method, "/_emulator/calls"), res);
  return JSON.parse(sent);
}
