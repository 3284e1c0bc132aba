import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import {
  emulatorState,
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  userIdOf,
  waitForHydration,
  waitForStatus,
} from "./support/fixtures";

/**
 * The auditor's journey: a request's whole life (filed, approved, applied in Entra ID and Azure,
 * ended early) found again on the Audit page by its id, its requester and its cluster, opened as a
 * timeline, exported as CSV with as many rows as the page counts, and the chain verified after.
 */
/** The request's whole trail, oldest first: applied in Entra PIM and Azure, then removed from both
 * and its holder signed out (the prod admin role ends sessions), each service call on its trail. */
const REQUEST_TRAIL = [
  "request.created",
  "request.approved",
  "request.activating",
  "provider.call",
  "provider.call",
  "request.activated",
  "request.deactivated",
  "provider.call",
  "provider.call",
  "provider.call",
];
const CSV_HEADER =
  "seq,occurredAt,type,actorUpn,requesterUpn,requestId,clusterName,roleName,justification,ticket,data,hash";

/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (isQuoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      isQuoted = !isQuoted;
    } else if (!isQuoted && c === ",") {
      row.push(field);
      field = "";
    } else if (!isQuoted && c === "\n") {
      rows.push([...row, field.replace(/\r$/, "")]);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The "N events match" count the page shows. */
async function shownCount(page: Page) {
  const text = await page.getByText(/^[\d,]+ events? match(es)?$/).textContent();
  return Number(text!.replace(/[^\d]/g, ""));
}

/** Searches from a freshly loaded Audit page. Without JavaScript there is nothing to hydrate. */
async function searchFor(page: Page, fill: (page: Page) => Promise<unknown>, isHydrated = true) {
  await page.goto("/audit");
  if (isHydrated) await waitForHydration(page, "form[role=search]");
  await fill(page);
  await page.getByRole("button", { name: "Search" }).click();
}

test("[AUDIT] an auditor finds a request's whole history, opens its timeline, exports it and verifies the chain", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const started = Date.now();
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const n01 = await userIdOf(requester.request, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification: `Audit journey: inspect the ingress controller ${Date.now()}`,
    ticket: "INC12345",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();
  const requestId = new URL(requestUrl).pathname.split("/").pop()!;

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByRole("button", { name: "Approve" }).click();
  await expect(decision.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);
  await waitForStatus(page, "active");

  await page.getByRole("button", { name: /^End access now/ }).click();
  await page.getByRole("button", { name: /^Yes, end it now/ }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  // The grants are removed, and n01 signed out, by a background job whose service calls are audited
  // as it makes them: wait until Entra ID and Azure hold nothing of it.
  await expect
    .poll(
      async () => {
        const state = await emulatorState(requester.request);
        return {
          pim: state.pimGroupAssignments.some((a) => a.principalId === n01),
          rbac: state.roleAssignments.some((a) => a.principalId === n01),
          signedOut: state.signInRevocations.some((r) => r.userId === n01 && Date.parse(r.at) >= started),
        };
      },
      { timeout: 15_000 },
    )
    .toEqual({ pim: false, rbac: false, signedOut: true });

  // Neither the requester nor the approver may read the history, in the dashboard or the API.
  for (const [who, context] of [
    ["n01", requester],
    ["p01", approver],
  ] as const) {
    const other = await context.newPage();
    for (const path of ["/audit", "/audit/insights", `/audit/requests/${requestId}`]) {
      expect((await other.goto(path))?.status(), `${who} should be refused ${path}`).toBe(403);
    }
    expect((await other.request.get(`/api/v1/requests/${requestId}/evidence`)).status()).toBe(403);
    expect((await other.request.get("/api/v1/audit")).status(), `${who} should be refused the audit API`).toBe(403);
    expect((await other.request.get("/api/v1/audit/export?format=csv")).status()).toBe(403);
    await other.close();
  }

  const auditor = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
  await signInAs(auditor, "aud01@contoso.com");
  const audit = await auditor.newPage();
  const results = audit.getByRole("table");
  const requestLink = results.getByRole("link", { name: `Timeline of request ${requestId}` });

  // By request id: every event of the request, and only those.
  await searchFor(audit, (p) => p.getByLabel("Request id").fill(requestId));
  await expect(audit).toHaveURL(new RegExp(`[?&]requestId=${requestId}(&|$)`));
  await expect(audit.getByLabel("Request id")).toHaveValue(requestId);
  // The last service call is recorded just after Entra answers it: reload until it is there.
  const count = REQUEST_TRAIL.length;
  await expect
    .poll(
      async () => {
        await audit.reload();
        return shownCount(audit);
      },
      { timeout: 15_000, intervals: [500] },
    )
    .toBe(count);
  const rows = results.locator("tbody tr");
  await expect(rows.locator("td:nth-child(3)"), "newest first").toHaveText([...REQUEST_TRAIL].reverse());
  await expect(rows).toHaveCount(count);
  await expect(requestLink).toHaveCount(count);
  const seqs = (await rows.locator("td:first-child").allTextContents()).map(Number);
  expect(seqs, "newest first").toEqual([...seqs].sort((a, b) => b - a));
  await expectAccessible(audit);
  test.info().annotations.push({ type: "timing", description: `request-id search shown ${Date.now() - started} ms` });

  // The whole result as CSV: the header, then one row per event the page counted.
  const downloading = audit.waitForEvent("download");
  await audit.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = csvRows(await readFile((await download.path())!, "utf8"));
  expect(csv[0]!.join(",")).toBe(CSV_HEADER);
  expect(csv.length - 1, "one CSV row per counted event").toBe(count);
  await expect(audit.getByRole("status").filter({ hasText: "Exported" })).toHaveText(
    `Exported ${count} events as CSV.`,
  );
  expect(new Set(csv.slice(1).map((row) => row[5]))).toEqual(new Set([requestId]));
  expect(new Set(csv.slice(1).map((row) => row[9]))).toEqual(new Set(["INC12345"]));
  await expect(audit.getByRole("link", { name: "Export JSON Lines" })).toHaveAttribute(
    "href",
    `/api/v1/audit/export?format=jsonl&requestId=${requestId}`,
  );

  // Keyset pages: older events carry the filters and a cursor; Newest goes back.
  await audit.goto(`/audit?requestId=${requestId}&limit=4`);
  await expect(rows).toHaveCount(4);
  const firstPage = await rows.locator("td:first-child").allTextContents();
  await audit.getByRole("link", { name: "Older events →" }).click();
  await expect(audit).toHaveURL(/[?&]cursor=/);
  await expect(audit).toHaveURL(new RegExp(`requestId=${requestId}`));
  await expect(rows.first()).not.toHaveText(firstPage[0]!);
  const secondPage = await rows.locator("td:first-child").allTextContents();
  expect(Number(secondPage[0])).toBeLessThan(Number(firstPage.at(-1)));
  expect(await shownCount(audit), "the count is the search's, not the page's").toBe(count);
  await audit.getByRole("link", { name: /Newest/ }).click();
  await expect(audit).not.toHaveURL(/cursor=/);
  await expect(rows.locator("td:first-child")).toHaveText(firstPage);

  // By requester, and by cluster: the request's events are among the newest.
  await searchFor(audit, (p) => p.getByLabel("Requester").fill("n01@contoso.com"));
  await expect(audit).toHaveURL(/[?&]requester=n01%40contoso\.com/);
  await expect(requestLink.first()).toBeVisible();
  await expect(rows.filter({ hasNotText: "n01@contoso.com" })).toHaveCount(0);
  await searchFor(audit, (p) => p.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu"));
  await expect(audit).toHaveURL(/[?&]cluster=aks-prod-weu/);
  await expect(requestLink.first()).toBeVisible();
  await expect(rows.filter({ hasNotText: "on aks-prod-weu" })).toHaveCount(0);

  await audit.getByRole("link", { name: "Clear" }).click();
  await expect(audit).toHaveURL(/\/audit$/);
  await expect(audit.getByLabel("Cluster", { exact: true })).toHaveValue("");

  // Without JavaScript the form is a plain GET form: the same search, as a URL to share.
  const plain = await browser.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false });
  await signInAs(plain, "aud01@contoso.com");
  const plainPage = await plain.newPage();
  await searchFor(plainPage, (p) => p.getByLabel("Request id").fill(requestId), false);
  await expect(plainPage).toHaveURL(new RegExp(`[?&]requestId=${requestId}(&|$)`));
  expect(await shownCount(plainPage)).toBe(count);
  await plain.close();

  // Times are UTC: the last ten minutes hold the request, the same window shifted an hour ahead nothing.
  const utcField = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  await searchFor(audit, async (p) => {
    await p.getByLabel("From (UTC)").fill(utcField(started - 10 * 60_000));
    await p.getByLabel("Requester").fill("n01@contoso.com");
  });
  await expect(requestLink.first()).toBeVisible();
  await searchFor(audit, (p) => p.getByLabel("From (UTC)").fill(utcField(Date.now() + 60 * 60_000)));
  await expect(audit).toHaveURL(/[?&]from=/);
  await expect(audit.getByText("0 events match", { exact: true })).toBeVisible();
  await expect(audit.getByText("No events match these filters.")).toBeVisible();

  // A refused filter is explained next to its field, and nothing is searched.
  await searchFor(audit, async (p) => {
    await p.getByLabel("From (UTC)").fill("2030-01-02T00:00");
    await p.getByLabel("To (UTC)").fill("2030-01-01T00:00");
    await p.getByLabel("Request id").fill("not-a-uuid");
  });
  await expect(audit.getByLabel("Request id")).toHaveAttribute("aria-invalid", "true");
  await expect(audit.locator("#requestId-error")).toHaveText("A request id is a UUID.");
  await expect(audit.getByLabel("To (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(audit.locator("#to-error")).toHaveText("Make to later than from.");
  await expect(audit.getByLabel("From (UTC)")).toHaveValue("2030-01-02T00:00");
  await expect(results).toHaveCount(0);
  await expectAccessible(audit);

  // The timeline, from a result: every event with its state change, how the approver had
  // authenticated, the service calls with the services' request ids, and when access really ended.
  await searchFor(audit, (p) => p.getByLabel("Request id").fill(requestId));
  await requestLink.first().click();
  await expect(audit).toHaveURL(new RegExp(`/audit/requests/${requestId}$`));
  await expect(audit.getByRole("heading", { name: "Timeline", exact: true })).toBeVisible();
  await expect(audit.locator("[data-status]").first()).toHaveText("ended early");
  const trail = audit.getByRole("table");
  await expect(trail.locator("tbody tr td:nth-child(3)"), "oldest first").toHaveText(REQUEST_TRAIL);
  const approval = trail.getByRole("row").filter({ hasText: "request.approved" });
  await expect(approval).toContainText("p01@contoso.com");
  await expect(approval).toContainText("pending → approved");
  await expect(approval).toContainText(/Authenticated by dashboard session at .+ UTC · methods: pwd/);
  const call = trail.getByRole("row").filter({ hasText: "provider.call" }).first();
  await expect(call).toContainText(/(x-ms-)?request-id: [0-9a-f-]{36}/);
  await expect(audit.getByText("Access ended early", { exact: true })).toBeVisible();
  await expect(audit.getByText("Effective end (tokens)", { exact: true })).toBeVisible();
  await expectAccessible(audit);

  // On a phone the timeline is a stack of cards that fits the screen, each cell under its column's
  // name (a table there would scroll sideways and hide columns); its box is still reached with Tab
  // and says what it holds.
  await audit.setViewportSize({ width: 390, height: 844 });
  const trailBox = audit.getByRole("region", { name: "Audit events of this request" });
  expect(await trailBox.evaluate((box) => box.scrollWidth <= box.clientWidth), "the timeline fits").toBe(true);
  const eventCell = trailBox.getByRole("row").nth(1).getByRole("cell").nth(2);
  expect(await eventCell.evaluate((cell) => getComputedStyle(cell, "::before").content)).toBe('"Event"');
  await audit.getByRole("link", { name: "Open the request" }).focus();
  await audit.keyboard.press("Tab");
  await expect(trailBox).toBeFocused();
  await expectAccessible(audit);
  await audit.setViewportSize({ width: 1280, height: 720 });

  // Its evidence pack: the same events, with the chain around them, as a file to hand on.
  const packDownload = audit.waitForEvent("download");
  await audit.getByRole("link", { name: "Download the evidence pack" }).click();
  const pack = JSON.parse(await readFile((await (await packDownload).path())!, "utf8")) as {
    format: string;
    requestId: string;
    events: Array<{ type: string }>;
    eventsCsv: string;
    postureAtGrant: { clusterName: string; summary: string } | null;
  };
  // Format /2: the cluster's posture at the time of the grant rides along (issue 18); /3 adds the activity (issue 19).
  expect(pack.format).toBe("aks-jit-evidence/3");
  expect(pack.postureAtGrant?.clusterName).toBe("aks-prod-weu");
  expect(pack.requestId).toBe(requestId);
  expect(pack.events).toHaveLength(count);
  expect(pack.eventsCsv.trimEnd().split("\r\n")).toHaveLength(count + 1);
  await audit.getByRole("link", { name: "Open the request" }).click();
  await expect(audit).toHaveURL(requestUrl);

  // The charts count this request's activation today.
  await audit.goto("/audit");
  await audit.getByRole("link", { name: /charts of activations/ }).click();
  await expect(audit).toHaveURL(/\/audit\/insights$/);
  await expect(audit.getByRole("heading", { name: /Activations/ }).first()).toBeVisible();
  await expectAccessible(audit);

  // The chain, verified after all of it.
  await audit.goto("/audit");
  await audit.getByRole("button", { name: "Verify the chain now" }).click();
  await expect(audit.getByText(/Intact\. All [\d,]+ chained events link to the one before/)).toBeVisible();
  await expect(results.getByRole("row").filter({ hasText: "audit.verified" }).first()).toBeVisible();

  await requester.close();
  await approver.close();
  await auditor.close();
});
