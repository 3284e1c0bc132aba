import { expect, expectAccessible, fileRequest, signInAs, test } from "./support/fixtures";

/**
 * The requester watches their request page while an approver, elsewhere, approves it: the page walks
 * through the stepper to "Active" by itself (server-sent events fed by PostgreSQL NOTIFY), with no
 * reload, and the time from the approval to the page showing active access is recorded.
 */

test("[LIVE] the request page turns active after approval without a reload; Back shows the request in My access", async ({
  browser,
}, testInfo) => {
  const justification = `Live status ${Date.now()}`;
  const ticket = `INC${String(Date.now()).slice(-7)}`;
  const requester = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, { cluster: "aks-prod-weu", role: "admin", justification, ticket });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();

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
  // Survives only while the page is not reloaded.
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByLabel(/^Comment/).fill("Ticket checked");
  const approveButton = decision.getByRole("button", { name: "Approve" });
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
  expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await expectAccessible(page);

  testInfo.annotations.push(
    { type: "approval → page shows it (ms)", description: String(approvalShownMs) },
    { type: "approval → page shows active (ms)", description: String(activeShownMs) },
  );
  console.log(`live status: approval shown after ${approvalShownMs} ms, active shown after ${activeShownMs} ms`);
  await requester.close();
  await approver.close();
});
