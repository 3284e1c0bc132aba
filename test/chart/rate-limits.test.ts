/**
 * Guards the rate limits and quotas an operator sets in the chart's values: each reaches every app
 * process (the config ConfigMap) in a form the app accepts, and a malformed one is refused at
 * `helm install` instead of stopping the pods at start.
 */
import { describe, expect, it } from "vitest";
import { ZEnv } from "../../lib/config/env-schema.js";
import { find, FULLNAME, render, renderRefused } from "./render";

async function configOf(extra: string[] = []) {
  const { objects } = await render([], extra);
  return find(objects, "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
}

describe("rate limits and quotas in the chart", () => {
  it("passes the defaults, which the app accepts", async () => {
    const data = await configOf();
    expect(data).toMatchObject({
      RATE_LIMIT_REQUESTS: "20/10m",
      RATE_LIMIT_DECISIONS: "120/10m",
      RATE_LIMIT_EXPORTS: "20/10m",
      RATE_LIMIT_STEP_UP: "20/10m",
      RATE_LIMIT_SIGN_IN: "60/10m",
      MAX_OPEN_REQUESTS_PER_ROLE: "3",
      REFUSE_DUPLICATE_REQUESTS: "true",
    });
    expect(ZEnv.shape.RATE_LIMIT_REQUESTS.parse(data.RATE_LIMIT_REQUESTS)).toEqual({
      points: 20,
      durationSeconds: 600,
    });
    expect(ZEnv.shape.MAX_OPEN_REQUESTS_PER_ROLE.parse(data.MAX_OPEN_REQUESTS_PER_ROLE)).toBe(3);
    expect(ZEnv.shape.REFUSE_DUPLICATE_REQUESTS.parse(data.REFUSE_DUPLICATE_REQUESTS)).toBe(true);
  });

  it("passes an operator's limit as given", async () => {
    const data = await configOf(["--set-string", "config.rateLimits.exports=5/1h"]);
    expect(ZEnv.shape.RATE_LIMIT_EXPORTS.parse(data.RATE_LIMIT_EXPORTS)).toEqual({ points: 5, durationSeconds: 3600 });
  });

  it("refuses a limit that is not <count>/<window>", async () => {
    const stderr = await renderRefused([], ["--set-string", "config.rateLimits.signIn=lots"]);
    expect(stderr).toMatch(/rateLimits\/signIn/);
  });
});
