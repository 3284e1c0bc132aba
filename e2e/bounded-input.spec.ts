import http from "node:http";
import type { APIRequestContext, BrowserContext, Page } from "@playwright/test";
import { JSON_BODY_LIMIT_BYTES, SERVER_ACTION_BODY_LIMIT_BYTES } from "../lib/http/body-limits.js";
import { APP_URL, expect, signInAs, test, waitForHydration } from "./support/fixtures";

/**
 * Bounded input at the real server (Next's standalone build, proxy.ts in front): request bodies are
 * refused at their limit while they stream, server actions answer 403 and 413 rather than 500 or
 * running, and the dashboard's forms name the field that holds what cannot be stored.
 */
const OPS_URL = process.env.E2E_OPS_URL!;
const MiB = 1024 * 1024;

/** The server process's resident memory now, as its own metrics report it (prom-client). */
async function serverRss(request: APIRequestContext) {
  const text = await (await request.get(`${OPS_URL}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("process_resident_memory_bytes "));
  return Number(line!.split(" ")[1]);
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

/**
 * POSTs `total` bytes with Transfer-Encoding: chunked (no Content-Length), 64 KiB at a time, waiting
 * whenever the server stops reading, until the server answers or all is sent.
 */
function postChunked(path: string, headers: Record<string, string>, total: number) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(new URL(path, APP_URL), { method: "POST", headers });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode!, body });
      });
    });
    request.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    const write = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", write);
      }
      if (!answered) request.end();
    };
    write();
  });
}

test("[LIMITS] a chunked 256 MiB body is refused with 413 while the server's memory grows by less than 16 MB", async ({
  context,
  request,
}) => {
  await signInAs(context, "n01@contoso.com");
  const headers = {
    cookie: await sessionCookie(context),
    origin: new URL(APP_URL).origin,
    "content-type": "application/json",
    "transfer-encoding": "chunked",
  };
  // The route's code is loaded by its first call: that is not what is measured.
  expect((await postChunked("/api/v1/requests", headers, 64 * 1024)).status).toBe(400);
  const before = await serverRss(request);
  let peak = before;
  let isSending = true;
  const sampling = (async () => {
    while (isSending) {
      peak = Math.max(peak, await serverRss(request));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const answer = await postChunked("/api/v1/requests", headers, 256 * MiB).finally(() => (isSending = false));
  await sampling;
  peak = Math.max(peak, await serverRss(request));
  expect(answer.status, answer.body).toBe(413);
  expect(JSON.parse(answer.body).error.message).toContain(`(${JSON_BODY_LIMIT_BYTES} bytes)`);
  expect(peak - before, `resident memory from ${before} to at most ${peak} bytes`).toBeLessThan(16 * 1000 * 1000);
});

/** Files a request whose justification holds a NUL, and captures the server action call it makes. */
async function submitWithNul(page: Page) {
  await page.goto("/access");
  await waitForHydration(page, "form textarea[name=justification]");
  await page.getByLabel("Cluster", { exact: true }).selectOption("aks-dev-weu");
  await page.getByLabel("Role", { exact: true }).selectOption("admin");
  await page.getByLabel(/^Justification/).fill("Rotate the\u0000certificate");
  const call = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await page.getByRole("button", { name: "Request access" }).click();
  return call;
}

// Guards against text PostgreSQL cannot store reaching it from a form, where it was "Something went wrong".
test("[FORMS] a justification holding a NUL is refused next to the field, and nothing is filed", async ({
  page,
  context,
}) => {
  await signInAs(context, "n01@contoso.com");
  await submitWithNul(page);
  await expect(page.locator("#justification-error")).toContainText(
    "Remove the NUL character or broken character (a lone UTF-16 surrogate) from the justification.",
  );
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
  await expect(page).toHaveURL(/\/access$/);
});

// Guards against year 0000 reaching PostgreSQL from the audit filters, where it was a 500.
test("[FORMS] the audit search names a filter PostgreSQL cannot store", async ({ page, context }) => {
  await signInAs(context, "aud01@contoso.com");
  const response = await page.goto("/audit?from=0000-01-01T00:00:00Z&q=a%00b");
  expect(response!.status()).toBe(200);
  await expect(page.locator("#from-error")).toHaveText(
    "Give from as a date from the year 1 on, e.g. 2026-11-23T08:00:00Z.",
  );
  await expect(page.locator("#q-error")).toHaveText(
    "Remove the NUL character or broken character (a lone UTF-16 surrogate) from the search text.",
  );
});

test("[LIMITS] server actions refuse a missing, null or foreign Origin with 403 and an oversized body with 413", async ({
  page,
  context,
  request,
}) => {
  await signInAs(context, "n01@contoso.com");
  const call = await submitWithNul(page);
  await expect(page.locator("#justification-error")).toBeVisible();
  // As the browser sent it, less what the replay sets itself (the length, the connection).
  const { "content-length": _length, host: _host, connection: _connection, ...sent } = await call.allHeaders();
  const headers: Record<string, string> = { ...sent, cookie: await sessionCookie(context) };
  const { origin: _origin, ...withoutOrigin } = headers;
  const body = call.postDataBuffer()!;
  const url = new URL(call.url()).pathname;

  // The captured call, replayed as it was: the action runs (and refuses the NUL) — the baseline.
  expect((await request.post(url, { headers, data: body })).status()).toBe(200);
  for (const [name, origin] of [
    ["missing", undefined],
    ["null", "null"],
    ["foreign", "https://evil.example"],
  ] as const) {
    const answer = await request.post(url, {
      headers: origin === undefined ? withoutOrigin : { ...headers, origin },
      data: body,
    });
    expect(answer.status(), `${name} Origin`).toBe(403);
    expect((await answer.json()).error.message, `${name} Origin`).toContain("cross-site request forgery");
  }

  const oversized = Buffer.alloc(SERVER_ACTION_BODY_LIMIT_BYTES + 1, "x");
  const declared = await request.post(url, { headers, data: oversized });
  expect(declared.status()).toBe(413);
  expect((await declared.json()).error.message).toContain("1 MiB");
  const chunked = await postChunked(url, { ...headers, "transfer-encoding": "chunked" }, 2 * MiB);
  expect(chunked.status, chunked.body).toBe(413);
});
