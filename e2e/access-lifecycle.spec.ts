import {
  expect,
  expectAccessible,
  emulatorState,
  fileRequest,
  signInAs,
  test,
  userIdOf,
  waitForStatus,
  type EmulatorState,
} from "./support/fixtures";

/**
 * The whole life of approved access, as the holder lives it: requested, approved, applied in Entra ID
 * PIM within seconds with the right end, used from My access (countdown, commands), extended, and
 * given back early, after which Entra ID and Azure no longer hold it.
 */
const ADMIN_GROUP = "ffdebc24-7be9-4b76-887f-3a12aae9aada";
const PROD_CLUSTER_SCOPE = /\/managedClusters\/aks-prod-weu$/i;
const HOUR = 60 * 60_000;

/** n01's active membership of the admin group, the latest-ending one if an extension made a second. */
const pimOf = (state: EmulatorState, principalId: string) =>
  state.pimGroupAssignments
    .filter((a) => a.groupId === ADMIN_GROUP && a.principalId === principalId && a.accessId === "member")
    .sort((a, b) => (b.endDateTime ?? "").localeCompare(a.endDateTime ?? ""))[0];
const roleAssignmentOf = (state: EmulatorState, principalId: string) =>
  state.roleAssignments.find((a) => a.principalId === principalId && PROD_CLUSTER_SCOPE.test(a.scope));

test("[ACCESS] n01's approved prod admin access is applied, shown with a countdown, extended and ended early", async ({
  browser,
}) => {
  const requester = await browser.newContext({
    ignoreHTTPSErrors: true,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await signInAs(requester, "n01@contoso.com");
  const n01 = await userIdOf(requester.request, "n01@contoso.com");
  expect(pimOf(await emulatorState(requester.request), n01), "n01 should start without admin access").toBeUndefined();
  const page = await requester.newPage();
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification: `Drain a node pool for the kernel patch ${Date.now()}`,
    ticket: "INC12345",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByLabel(/^Comment/).fill("Ticket checked");
  await decision.getByRole("button", { name: "Approve" }).click();
  const approvedAt = Date.now();
  await expect(decision.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);

  // Entra ID PIM holds the membership, ending an hour after activation, and Azure the cluster role.
  await expect
    .poll(
      async () => {
        const state = await emulatorState(requester.request);
        return Boolean(pimOf(state, n01) && roleAssignmentOf(state, n01));
      },
      { timeout: 10_000, intervals: [250] },
    )
    .toBe(true);
  const appliedAfter = Date.now() - approvedAt;
  const assignment = pimOf(await emulatorState(requester.request), n01)!;
  const pimEnd = new Date(assignment.endDateTime!).getTime();
  expect(pimEnd).toBeGreaterThanOrEqual(approvedAt + HOUR - 5_000);
  expect(pimEnd).toBeLessThanOrEqual(Date.now() + HOUR + 5_000);
  test
    .info()
    .annotations.push({ type: "timing", description: `PIM assignment visible ${appliedAfter} ms after approval` });

  // My access: the active item, its countdown, its end and the commands that use it.
  await expect
    .poll(
      async () => {
        await page.goto("/access");
        return page.getByRole("region", { name: "Active access" }).getByRole("article").count();
      },
      { timeout: 15_000 },
    )
    .toBe(1);
  const item = page.getByRole("article", { name: "admin on aks-prod-weu" });
  await expect(item.getByRole("link", { name: "admin on aks-prod-weu" })).toHaveAttribute(
    "href",
    new URL(requestUrl).pathname,
  );
  const countdown = item.getByRole("timer");
  await expect(countdown).toHaveText(/^(59 min|1 h 0 min) \d+ s left$/);
  await expect(countdown).toHaveAttribute("aria-live", "off");
  const firstReading = await countdown.textContent();
  await expect(countdown).not.toHaveText(firstReading!, { timeout: 3_000 });
  const endText = item.locator('[aria-live="polite"] time');
  const endBefore = new Date((await endText.getAttribute("datetime"))!).getTime();
  expect(Math.abs(endBefore - pimEnd)).toBeLessThan(60_000);
  await expect(item).toContainText("Tokens already issued may work until");
  await expect(item).toContainText("kubelogin remove-tokens");
  const credentials = item.locator("code", { hasText: "az aks get-credentials" });
  await expect(credentials).toContainText("--name aks-prod-weu");
  await item.getByRole("button", { name: "Copy", exact: true }).first().click();
  await expect(item.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await credentials.textContent());
  await expectAccessible(page);

  // Prod admin may be extended directly, up to 12 h in all.
  await item.getByLabel("Extend by").selectOption("PT30M");
  await item.getByRole("button", { name: /^Extend/ }).click();
  await expect
    .poll(async () => new Date((await endText.getAttribute("datetime"))!).getTime() - endBefore)
    .toBe(30 * 60_000);
  await expect
    .poll(async () => new Date(pimOf(await emulatorState(requester.request), n01)!.endDateTime!).getTime(), {
      timeout: 10_000,
    })
    .toBeGreaterThanOrEqual(endBefore + 30 * 60_000 - 5_000);
  await expect(countdown).toHaveText(/^1 h (29|30) min \d+ s left$/);

  // End now asks first, then gives everything back.
  await item.getByRole("button", { name: /^End access now/ }).click();
  await expect(item.getByRole("group", { name: /End admin on aks-prod-weu now/ })).toBeVisible();
  await expect(item.getByRole("button", { name: /^Yes, end it now/ })).toBeFocused();
  await item.getByRole("button", { name: /^Yes, end it now/ }).click();
  const endedAt = Date.now();
  await expect(page.getByRole("region", { name: "Active access" })).toContainText("You have no active access");
  await expect
    .poll(
      async () => {
        const state = await emulatorState(requester.request);
        return { pim: pimOf(state, n01) ?? null, roleAssignment: roleAssignmentOf(state, n01) ?? null };
      },
      { timeout: 10_000, intervals: [250] },
    )
    .toEqual({ pim: null, roleAssignment: null });
  test
    .info()
    .annotations.push({ type: "timing", description: `access removed ${Date.now() - endedAt} ms after End now` });

  await page.goto(requestUrl);
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  await expect(
    page.getByRole("region", { name: "Timeline" }).getByRole("list").filter({ hasText: "Extended" }),
  ).toContainText("by 30 min");
  // The page states the total after the extension, and the period from start to its (early) end.
  await expect(page.getByRole("region", { name: "Details" })).toContainText("1 h 30 min (extended from 1 h)");
  await expect(page.getByTestId("access-period")).toContainText("UTC → ");
  await expectAccessible(page);
  await requester.close();
  await approver.close();
});

test("[ACCESS] more time on prod node access is a new request, prefilled from My access", async ({ browser }) => {
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "node-access",
    justification: `Collect a node's kernel logs ${Date.now()}`,
    ticket: "INC12346",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();
  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByRole("button", { name: "Approve" }).click();
  await expect(decision.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);
  await waitForStatus(page, "active");
  await expect(page.getByRole("region", { name: "Use your access" })).toContainText("az ssh vm");

  await page.goto("/access");
  const item = page.getByRole("article", { name: "node-access on aks-prod-weu" });
  await expect(item.getByLabel("Extend by")).toHaveCount(0);
  await item.getByRole("link", { name: /^Request more time/ }).click();
  await expect(page).toHaveURL(/\/access\?cluster=aks-prod-weu&role=node-access#new-request$/);
  await expect(page.getByLabel("Cluster", { exact: true })).toHaveValue("aks-prod-weu");
  await expect(page.getByLabel("Role", { exact: true })).toHaveValue("node-access");
  await expect(page.getByRole("region", { name: "Request access" })).toContainText("joins your current access");
  await expectAccessible(page);

  await item.getByRole("button", { name: /^End access now/ }).click();
  await item.getByRole("button", { name: /^Yes, end it now/ }).click();
  await expect(page.getByRole("article", { name: "node-access on aks-prod-weu" })).toHaveCount(0);
  await requester.close();
  await approver.close();
});
