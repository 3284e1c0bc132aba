import {
  emulatorState,
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  waitForHydration,
  waitForStatus,
} from "./support/fixtures";

/** Step-up: a role whose policy has `stepUp` is approved only after a fresh sign-in in a popup. */

const APPROVED_OR_LATER = /^(approved|being activated|active)$/;

test("[APPROVALS] p01 follows the mail's link and approves a cluster-admin request after signing in again in the popup", async ({
  browser,
}) => {
  const justification = `Fix the admission webhook ${Date.now()}`;
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, { cluster: "aks-prod-weu", role: "cluster-admin", justification, ticket: "INC55002" });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestPath = new URL(page.url()).pathname;
  // p01 starts from the link in the mail that the new request sent them.
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const mail = (await emulatorState(requester.request)).mail.find(
          (m) => m.to.includes("p01@contoso.com") && m.body.includes(requestPath),
        );
        link = mail ? /href="([^"]+)"/.exec(mail.body)?.[1] : undefined;
        return link;
      },
      { timeout: 10_000 },
    )
    .toMatch(new RegExp(`${requestPath}$`));
  await requester.close();

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const inbox = await approver.newPage();
  await inbox.goto(link!);
  const decision = inbox.getByRole("region", { name: "Decision" });
  await expect(decision).toContainText("This role requires a fresh sign-in to approve");
  await expect(decision).toContainText("at most 10 minutes old");
  await expectAccessible(inbox);

  await waitForHydration(inbox, "button[aria-describedby='step-up-note']");
  await inbox.getByLabel(/^Comment/).fill("Checked the incident, go ahead");
  // From the keyboard: the popup opens from the button's activation like from a click.
  const popupOpened = inbox.waitForEvent("popup");
  await inbox.getByRole("button", { name: "Approve" }).focus();
  await inbox.keyboard.press("Enter");
  const popup = await popupOpened;
  await expect(popup.getByRole("heading", { name: "Sign in again" })).toBeVisible();
  await popup.getByRole("button", { name: /Priya Raman/ }).click();
  await popup.waitForEvent("close");

  await expect(inbox.locator("[data-status]").first()).toHaveText(APPROVED_OR_LATER);
  await expect(
    inbox.getByRole("region", { name: "Timeline" }).getByRole("list").filter({ hasText: "Approved" }),
  ).toContainText("p01@contoso.com");
  await expectAccessible(inbox);
  await approver.close();
});

test("[ACCESS] n01 uses break-glass on cluster-admin only after signing in again in the popup", async ({ browser }) => {
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await page.goto("/access");
  await waitForHydration(page, "form");
  await page.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu");
  await page.getByLabel("Role", { exact: true }).selectOption("cluster-admin");
  await page.getByLabel(/^Justification/).fill(`Break-glass: the API server is down ${Date.now()}`);
  await page.getByLabel(/^Ticket/).fill("INC55003");
  await page.getByRole("checkbox", { name: /Break-glass/ }).check();
  await expect(page.locator("#break-glass-hint")).toContainText("sign in again first");
  await expectAccessible(page);

  const popupOpened = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Request access" }).click();
  const popup = await popupOpened;
  await expect(popup.getByRole("heading", { name: "Sign in again" })).toBeVisible();
  await popup.getByRole("button", { name: /Nadia Okafor/ }).click();
  await popup.waitForEvent("close");
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Break-glass", { exact: true })).toBeVisible();
  await expect(page.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);

  // Leave nothing active for the journeys after this one.
  await waitForStatus(page, "active");
  await page.getByRole("button", { name: /^End access now/ }).click();
  await page.getByRole("button", { name: /^Yes, end it now/ }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  await requester.close();
});
