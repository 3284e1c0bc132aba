import type { Browser, BrowserContext, Page } from "@playwright/test";
import {
  EMULATOR_URL,
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  waitForHydration,
  waitForStatus,
} from "./support/fixtures";

/**
 * Approvers open links from mail and chat on their phones: every page must fit a phone's width
 * (the page itself never scrolls sideways; wide code and tables scroll in their own box), lists
 * must show each row's Status, and the decision must stay in reach on a long request page.
 */

const PHONES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
];

async function as(browser: Browser, userPrincipalName: string) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(context, userPrincipalName);
  return { context, page: await context.newPage() };
}

/** The page fits the screen (it does not scroll sideways) and passes axe, at this phone's width. */
async function expectPhoneReady(page: Page, path: string) {
  await page.goto(path);
  const { scrollWidth, innerWidth, tooWide } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerWidth: window.innerWidth,
    // What sticks out, to say what to fix when this fails.
    tooWide: [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`.slice(0, 120)),
  }));
  expect(
    scrollWidth,
    `${path} should not scroll sideways at ${innerWidth} px: ${tooWide.join(" | ")}`,
  ).toBeLessThanOrEqual(innerWidth);
  await expectAccessible(page);
}

/** The request's row shows its Status badge on screen horizontally: a table wider than the phone would push it off. */
async function expectStatusShown(page: Page, requestPath: string) {
  const row = page.getByRole("row").filter({ has: page.locator(`a[href="${requestPath}"]`) });
  const status = row.locator("[data-status]");
  await expect(status).toBeVisible();
  const box = (await status.boundingBox())!;
  const innerWidth = await page.evaluate(() => window.innerWidth);
  expect(box.x + box.width, "Status should be within the screen's width").toBeLessThanOrEqual(innerWidth);
}

test("[PHONE] every page and request state fits a 360 and a 390 px phone, with Status in every list", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  const requester = await as(browser, "n01@contoso.com");

  const pendingWhy = `Phone pending ${stamp}`;
  await fileRequest(requester.page, {
    cluster: "aks-prod-weu",
    role: "admin",
    justification: pendingWhy,
    ticket: "INC12345",
  });
  await expect(requester.page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const pending = new URL(requester.page.url()).pathname;

  await fileRequest(requester.page, {
    cluster: "aks-dev-weu",
    role: "node-access",
    justification: `Phone active ${stamp}`,
  });
  await expect(requester.page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const active = new URL(requester.page.url()).pathname;
  await waitForStatus(requester.page, "active");

  // Entra ID refuses the next PIM assignment: a refusal is not retried, so the activation fails at once.
  const holder = await as(browser, "n02@contoso.com");
  const fault = await holder.context.request.post(`${EMULATOR_URL}/_emulator/faults`, {
    data: { path: "assignmentScheduleRequests", method: "POST", status: 403, count: 1 },
  });
  expect(fault.status()).toBe(201);
  await fileRequest(holder.page, {
    cluster: "aks-dev-weu",
    role: "node-access",
    justification: `Phone failed ${stamp}`,
  });
  await expect(holder.page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const failed = new URL(holder.page.url()).pathname;
  await waitForStatus(holder.page, "failed");

  const approver = await as(browser, "p01@contoso.com");
  const auditor = await as(browser, "aud01@contoso.com");
  const admin = await as(browser, "adm01@contoso.com");
  const visitor = await browser.newContext({ ignoreHTTPSErrors: true });
  const signedOut = await visitor.newPage();
  const everyone: BrowserContext[] = [
    requester.context,
    holder.context,
    approver.context,
    auditor.context,
    admin.context,
    visitor,
  ];

  for (const size of PHONES) {
    for (const page of [requester.page, holder.page, approver.page, auditor.page, admin.page, signedOut]) {
      await page.setViewportSize(size);
    }
    await expectPhoneReady(requester.page, "/access");
    await expectStatusShown(requester.page, pending);
    await expectPhoneReady(requester.page, pending);
    await expectPhoneReady(requester.page, active);
    await expectPhoneReady(requester.page, "/notifications");
    await expectPhoneReady(requester.page, "/admin"); // the 403 page
    await expectPhoneReady(requester.page, "/requests/00000000-0000-4000-8000-000000000000"); // not found
    await expectPhoneReady(holder.page, failed);

    await expectPhoneReady(approver.page, "/approvals");
    await expectStatusShown(approver.page, pending);
    await expectPhoneReady(approver.page, pending);
    await expectPhoneReady(approver.page, "/notifications");
    await expectPhoneReady(approver.page, "/approvals/break-glass");

    await expectPhoneReady(auditor.page, "/audit");
    await expectPhoneReady(auditor.page, "/audit/insights");
    await expectPhoneReady(auditor.page, `/audit${failed}`);

    await expectPhoneReady(admin.page, "/admin");
    await expect(admin.page.getByRole("region", { name: "Failed activations" })).toContainText("Injected fault");
    await expectPhoneReady(admin.page, failed);

    await expectPhoneReady(signedOut, "/signed-out");
    await expectPhoneReady(signedOut, "/auth/error?reason=expired&ref=0123abcd");
  }
  for (const context of everyone) await context.close();
});

test("[PHONE] on a phone an approver decides from the bar at the foot of the screen", async ({ browser }) => {
  const justification = `Decide from the phone ${Date.now()}`;
  const requester = await as(browser, "n01@contoso.com");
  await fileRequest(requester.page, { cluster: "aks-prod-weu", role: "admin", justification, ticket: "INC12345" });
  await expect(requester.page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = requester.page.url();
  await expect(requester.page.getByTestId("decision-bar")).toHaveCount(0);

  const { context, page } = await as(browser, "p01@contoso.com");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(requestUrl);
  const bar = page.getByRole("group", { name: "Decide this request" });
  await expect(bar.getByRole("button", { name: "Approve" })).toBeInViewport();
  await expect(bar.getByRole("button", { name: "Deny" })).toBeInViewport();
  await expectAccessible(page);

  // Deny needs a comment: with none typed, the bar takes the approver to the field.
  await waitForHydration(page, '[data-testid="decision-bar"] button[value="deny"]');
  await bar.getByRole("button", { name: "Deny" }).click();
  await expect(page.getByLabel(/^Comment/)).toBeFocused();
  await expect(page.locator("[data-status]").first()).toHaveText("waiting for approval");

  await page.getByLabel(/^Comment/).fill("Checked from my phone");
  await page.evaluate(() => window.scrollTo(0, 0));
  await bar.getByRole("button", { name: "Approve" }).click();
  await expect(page.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);
  await expect(bar).toHaveCount(0);
  await requester.context.close();
  await context.close();
});

test("[PHONE] the header folds into a menu that holds the sections and Sign out, and Escape closes it", async ({
  page,
  context,
}) => {
  await signInAs(context, "adm01@contoso.com");
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/access");
  const menu = page.getByRole("button", { name: "Menu" });
  const signOut = page.getByRole("button", { name: "Sign out" });
  await expect(signOut).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await waitForHydration(page, "button[aria-controls]");

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(signOut).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toBeVisible();
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, "the open menu should fit the screen").toBeLessThanOrEqual(innerWidth);
  await expectAccessible(page);

  await signOut.focus();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(signOut).toBeHidden();
  await expect(menu).toBeFocused();

  await menu.click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});
