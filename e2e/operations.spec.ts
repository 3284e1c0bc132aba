import type { APIRequestContext } from "@playwright/test";
import type { ReceivedSpan as Span } from "../test/support/otlp-receiver";
import { APP_URL, expect, fileRequest, signInAs, test, waitForStatus } from "./support/fixtures";

/**
 * What operators see of a running app: probes for Kubernetes on the app's port and the operations
 * port, and Prometheus metrics that move as people use it — served only on the operations port.
 */
const OPS_URL = process.env.E2E_OPS_URL!;
/** The stand-in collector the app exports its traces to (test/support/otlp-receiver.ts). */
const OTLP_URL = process.env.E2E_OTLP_URL!;

/** The sum of a metric's samples whose labels include `labels` (Prometheus text format). */
function total(text: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((pair) => line.includes(pair)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function scrape(request: APIRequestContext) {
  const response = await request.get(`${OPS_URL}/metrics`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

test("[OPS] probes answer, and the metrics and traces follow a request from filed to active and ended", async ({
  page,
  context,
  request,
}) => {
  for (const url of [
    `${APP_URL}/api/health/live`,
    `${APP_URL}/api/health/ready`,
    `${OPS_URL}/livez`,
    `${OPS_URL}/readyz`,
  ]) {
    const response = await request.get(url);
    expect(response.status(), url).toBe(200);
    expect(await response.json(), url).toMatchObject({ status: "ok" });
  }
  const ready = await (await request.get(`${APP_URL}/api/health/ready`)).json();
  expect(ready.checks).toMatchObject({ database: { status: "ok" }, migrations: { status: "ok" } });
  // Metrics are for the monitoring system, not for whoever reaches the dashboard.
  expect((await request.get(`${APP_URL}/metrics`)).status()).toBe(404);
  expect((await request.get(`${APP_URL}/api/metrics`)).status()).toBe(404);

  const role = { cluster: "aks-dev-weu", role: "node-access" };
  const before = await scrape(request);
  await signInAs(context, "n02@contoso.com");
  await fileRequest(page, { ...role, justification: `Metrics check ${Date.now()}` });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await waitForStatus(page, "active");

  let after = "";
  await expect
    .poll(async () => {
      after = await scrape(request);
      return total(after, "aks_jit_requests_total", { ...role, outcome: "activated" });
    })
    .toBe(total(before, "aks_jit_requests_total", { ...role, outcome: "activated" }) + 1);
  const delta = (name: string, labels: Record<string, string> = {}) =>
    total(after, name, labels) - total(before, name, labels);
  expect(delta("aks_jit_requests_total", { ...role, outcome: "filed" })).toBe(1);
  expect(delta("aks_jit_requests_total", { ...role, outcome: "approved" })).toBe(1);
  // The role's two grants: the PIM group assignment at Graph, the role assignment at ARM.
  expect(delta("aks_jit_provider_calls_total", { operation: "roleAssignments.create", status: "201" })).toBe(1);
  expect(
    delta("aks_jit_provider_calls_total", { operation: "assignmentScheduleRequests.create", status: "201" }),
  ).toBeGreaterThanOrEqual(1);
  expect(delta("aks_jit_activation_latency_seconds_count")).toBe(1);
  expect(total(after, "aks_jit_requests_open", { state: "active" })).toBeGreaterThanOrEqual(1);
  expect(after).toMatch(/^aks_jit_jobs\{[^}]*queue="activate"/m);
  expect(total(after, "aks_jit_scrape_database_up")).toBe(1);
  expect(after).toMatch(/^process_resident_memory_bytes /m);

  // Its activation is one trace: the job, its queries and its calls to Graph and ARM under it.
  const requestId = new URL(page.url()).pathname.split("/").pop()!;
  let spans: Span[] = [];
  await expect
    .poll(async () => {
      spans = (await (await request.get(`${OTLP_URL}/spans`)).json()) as Span[];
      return spans.filter((span) => span.name === "job activate").length;
    })
    .toBeGreaterThanOrEqual(1);
  // OTLP numbers span kinds from 1 (internal): 3 is a client call, 5 a consumer (a job).
  const jobs = spans.filter((span) => span.name === "job activate" && span.kind === 5);
  const callsOf = (traceId: string) => spans.filter((span) => span.traceId === traceId && span.kind === 3);
  const activation = jobs.find((job) => callsOf(job.traceId).some((call) => call.name === "PUT arm"));
  expect(activation, `an activation trace for ${requestId}`).toBeTruthy();
  const calls = callsOf(activation!.traceId);
  expect(calls.map((call) => call.name)).toEqual(expect.arrayContaining(["POST graph", "PUT arm"]));
  expect(calls.find((call) => call.name === "PUT arm")?.attributes).toMatchObject({
    "http.request.method": "PUT",
    "http.response.status_code": 201,
  });
  expect(spans.some((span) => span.traceId === activation!.traceId && span.name.startsWith("prisma:"))).toBe(true);
  expect(activation!.service).toBe("aks-jit-web");
  // Next's own spans for the pages and actions people use.
  expect(spans.some((span) => typeof span.attributes["next.span_type"] === "string")).toBe(true);

  await page.getByRole("button", { name: /^End access now/ }).click();
  await page.getByRole("button", { name: /^Yes, end it now/ }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  await expect
    .poll(async () => total(await scrape(request), "aks_jit_requests_total", { ...role, outcome: "deactivated" }))
    .toBe(total(before, "aks_jit_requests_total", { ...role, outcome: "deactivated" }) + 1);
});
