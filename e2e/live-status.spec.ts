import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, expectAccessible, fileRequest, signInAs, test } from "./support/fixtures";
import { BACKEND_COOKIE, startTwoWebServers, type TwoWebServers } from "./support/two-web-servers";

/**
 * The requester watches their request page while an approver, elsewhere, approves it: the page walks
 * through the stepper to "Active" by itself (server-sent events fed by PostgreSQL NOTIFY), with no
 * reload, and the time from the approval to the page showing active access is recorded. The
 * approver's Approvals list, its pending count in the navigation and the notification count move
 * by themselves too.
 */

interface Setup {
  viewport: { width: number; height: number };
  /** Where the browsers go, and which web server each person's traffic is pinned to (none: the suite's one). */
  appUrl?: string;
  pin?: { requester: "a" | "b"; approver: "a" | "b" };
}

async function personAt(browser: Browser, setup: Setup, upn: string, pinTo?: "a" | "b") {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: setup.viewport,
    ...(setup.appUrl && { baseURL: setup.appUrl }),
  });
  if (setup.appUrl && pinTo) await context.addCookies([{ name: BACKEND_COOKIE, value: pinTo, url: setup.appUrl }]);
  await signInAs(context, upn, setup.appUrl);
  return context;
}

/** The same document all along: a marker set on window survives only while the page is not reloaded. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sameDocument: true }));
const isSameDocument = (page: Page) => page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument);

/** The unread count the header's notification link announces (in the collapsed menu on a phone). */
async function unreadOf(page: Page) {
  const label = await page.locator('header a[href="/notifications"]').getAttribute("aria-label");
  if (label === "Notifications, none unread") return 0;
  return Number(/^Notifications, (\d+) unread$/.exec(label ?? "")?.[1] ?? Number.NaN);
}

/** How many requests the navigation says wait for this approver (0 when the link has no count). */
async function pendingOf(page: Page) {
  const label = await page.locator('header a[href="/approvals"]').getAttribute("aria-label");
  return label === null ? 0 : Number(/^Approvals, (\d+) pending$/.exec(label)?.[1] ?? Number.NaN);
}

async function liveJourney(browser: Browser, testInfo: TestInfo, setup: Setup) {
  const justification = `Live status ${Date.now()}`;
  const ticket = `INC${String(Date.now()).slice(-7)}`;
  const approver = await personAt(browser, setup, "p01@contoso.com", setup.pin?.approver);
  const requester = await personAt(browser, setup, "n01@contoso.com", setup.pin?.requester);

  // The approver keeps Approvals open before anything is filed.
  const approvals = await approver.newPage();
  await approvals.goto("/approvals");
  await expect(approvals.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(approvals.locator("main")).not.toContainText(ticket);
  const unreadBefore = await unreadOf(approvals);
  const pendingBefore = await pendingOf(approvals);
  await markDocument(approvals);

  const page = await requester.newPage();
  await fileRequest(page, { cluster: "aks-prod-weu", role: "admin", justification, ticket });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();

  // The new request and its "Approval needed" notification reach the open Approvals page by themselves.
  await expect(approvals.locator("main")).toContainText(ticket);
  await expect.poll(() => unreadOf(approvals)).toBeGreaterThan(unreadBefore);
  await expect.poll(() => pendingOf(approvals)).toBe(pendingBefore + 1);
  expect(await isSameDocument(approvals)).toBe(true);
  await expectAccessible(approvals);

  // Back restores My access from the browser's router cache, as it was before the request: it re-reads itself.
  await page.goBack();
  await expect(page).toHaveURL(/\/access$/);
  await expect(page.getByRole("region", { name: "My requests" })).toContainText(ticket);
  await page.goForward();
  await expect(page).toHaveURL(requestUrl);

  const status = page.getByTestId("progress-status");
  await expect(status).toHaveText(/^Status: Waiting for approval$/);
  await expect(status).toHaveAttribute("aria-live", "polite");
  await expect(page.locator('[data-step="approval"]')).toHaveAttribute("aria-current", "step");
  await expectAccessible(page);
  await markDocument(page);

  const decision = await approver.newPage();
  await decision.goto(new URL(requestUrl).pathname);
  await decision.getByLabel(/^Comment/).fill("Ticket checked");
  // On a phone the sticky decision bar repeats Approve once the form scrolls away: the form's own, first.
  const approveButton = decision.getByRole("button", { name: "Approve" }).first();
  await expect(approveButton).toBeEnabled();
  const approvedAt = Date.now();
  await approveButton.click();

  await expect(status).toHaveText(/^Status: (Applying|Active) since /, { timeout: 30_000 });
  const approvalShownMs = Date.now() - approvedAt;
  await expect(status).toHaveText(/^Status: Active since .+ UTC$/, { timeout: 30_000 });
  const activeShownMs = Date.now() - approvedAt;
  await expect(page.locator("[data-status]").first()).toHaveText("active");
  await expect(page.locator('[data-step="approval"]')).toHaveAttribute("data-state", "done");
  await expect(page.locator('[data-step="applying"]')).toHaveAttribute("data-state", "done");
  await expect(page.locator('[data-step="applying"]')).toContainText("applied");
  await expect(page.locator('[data-step="active"]')).toHaveAttribute("aria-current", "step");
  expect(await isSameDocument(page)).toBe(true);
  await expectAccessible(page);

  // The decided request leaves the approver's pending list, still without a reload.
  await expect(approvals.locator("main")).not.toContainText(ticket);
  await expect.poll(() => pendingOf(approvals)).toBe(pendingBefore);
  expect(await isSameDocument(approvals)).toBe(true);

  const size = `${setup.viewport.width}×${setup.viewport.height}${setup.pin ? ", two web servers" : ""}`;
  testInfo.annotations.push(
    { type: `approval → page shows it (ms, ${size})`, description: String(approvalShownMs) },
    { type: `approval → page shows active (ms, ${size})`, description: String(activeShownMs) },
  );
  console.log(`live status (${size}): approval shown after ${approvalShownMs} ms, active after ${activeShownMs} ms`);
  await requester.close();
  await approver.close();
}

test("[LIVE] on a phone, the request page turns active after approval without a reload; Back shows the request in My access", async ({
  browser,
}, testInfo) => {
  await liveJourney(browser, testInfo, { viewport: { width: 390, height: 844 } });
});

test.describe("two web servers behind one URL", () => {
  let servers: TwoWebServers;
  test.beforeAll(async () => {
    servers = await startTwoWebServers();
  });
  test.afterAll(async () => {
    await servers.stop();
  });

  test("[LIVE] on a desktop, a change committed through one web server and a worker reaches a page served by another", async ({
    browser,
  }, testInfo) => {
    await liveJourney(browser, testInfo, {
      viewport: { width: 1440, height: 900 },
      appUrl: servers.url,
      pin: { requester: "a", approver: "b" },
    });
    // Both servers did serve: the requester's page and stream from one, the approval through the other.
    expect(servers.served.a).toBeGreaterThan(0);
    expect(servers.served.b).toBeGreaterThan(0);
  });
});
