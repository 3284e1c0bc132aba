import { emulatorState, expect, expectAccessible, fileRequest, signInAs, test, userIdOf } from "./support/fixtures";

/** The requester and approver journeys through the pages. */

const APPROVED_OR_LATER = /^(approved|being activated|active)$/;

test("[REQUESTS] n01 asks for prod admin, cannot approve it, p01 approves it from the inbox", async ({ browser }) => {
  const justification = `Rotate the ingress certificate ${Date.now()}`;
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await page.goto("/access");
  const eligible = page.getByRole("region", { name: "What you can request" });
  await expect(eligible).toContainText("admin: 1 approval, up to 8 h, ticket required");
  await expect(eligible).toContainText("aks-dev-weu (development)");
  await page.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu");
  const rules = page.getByRole("complementary", { name: /Rules for admin on aks-prod-weu/ });
  await expect(rules).toContainText("Needs 1 approval");
  await expect(rules).toContainText("Up to 8 h");
  await expectAccessible(page);

  await fileRequest(page, { cluster: "aks-prod-weu", role: "admin", justification, ticket: "INC12345" });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();
  await expect(page.locator("[data-status]").first()).toHaveText("waiting for approval");
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(page.getByTestId("cannot-decide")).toContainText("your own request");
  await expectAccessible(page);

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const inbox = await approver.newPage();
  await inbox.goto("/approvals");
  const row = inbox.getByRole("row").filter({ hasText: justification });
  await expect(row).toContainText("Nadia Okafor");
  await expect(row).toContainText("INC12345");
  await expect(row).toContainText("1 h");
  await expectAccessible(inbox);
  await row.getByRole("link", { name: "admin on aks-prod-weu" }).click();
  await expect(inbox).toHaveURL(requestUrl);
  await expectAccessible(inbox);
  await inbox.getByLabel(/^Comment/).fill("Go ahead, ticket checked");
  await inbox.getByRole("button", { name: "Approve" }).click();
  // The activation worker may already be applying it.
  await expect(inbox.locator("[data-status]").first()).toHaveText(APPROVED_OR_LATER);
  await expect(
    inbox.getByRole("region", { name: "Timeline" }).getByRole("list").filter({ hasText: "Approved" }),
  ).toContainText("p01@contoso.com");
  await expect(inbox.getByRole("button", { name: "Approve" })).toHaveCount(0);

  await page.reload();
  await expect(page.locator("[data-status]").first()).toHaveText(APPROVED_OR_LATER);
  await requester.close();
  await approver.close();
});

test("[REQUESTS] the form explains a refusal next to the field and stores nothing", async ({ page, context }) => {
  await signInAs(context, "n01@contoso.com");
  const justification = `Refused on purpose ${Date.now()}`;
  await fileRequest(page, { cluster: "aks-prod-weu", role: "admin", justification, ticket: "JIRA-7" });
  await expect(page.getByRole("alert").first()).toContainText("Please fix the fields marked below.");
  await expect(page.getByLabel(/^Ticket/)).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#ticket-error")).toContainText("INC");
  await expectAccessible(page);
  await page.goto("/access");
  await expect(page.getByText(justification)).toHaveCount(0);
});

test("[REQUESTS] a dev cluster request is approved by policy at once", async ({ page, context }) => {
  await signInAs(context, "n01@contoso.com");
  await fileRequest(page, {
    cluster: "aks-dev-weu",
    role: "node-access",
    justification: `Inspect a node ${Date.now()}`,
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(page.locator("[data-status]").first()).toHaveText(APPROVED_OR_LATER);
  await expect(
    page.getByRole("region", { name: "Timeline" }).getByRole("list").filter({ hasText: "Approved" }),
  ).toContainText("by policy");
});

test("[APPROVALS] an approver sees their own request in the inbox but cannot decide it", async ({ page, context }) => {
  await signInAs(context, "n02@contoso.com");
  const justification = `My own request ${Date.now()}`;
  await fileRequest(page, { cluster: "aks-prod-weu", role: "node-access", justification, ticket: "CHG0042" });
  // Wait for the request to exist before leaving the form (leaving aborts the submission).
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.goto("/approvals");
  const row = page.getByRole("row").filter({ hasText: justification });
  await expect(row).toContainText("This is your own request");
  await row.getByRole("link").click();
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(page.getByTestId("cannot-decide")).toContainText("your own request");
});

test("[APPROVALS] denying needs a comment, and the requester sees the reason", async ({ browser }) => {
  const justification = `To be denied ${Date.now()}`;
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, { cluster: "aks-prod-weu", role: "node-access", justification, ticket: "INC99999" });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByRole("button", { name: "Deny" }).click();
  await expect(decision.locator("#comment-error")).toContainText("Say why");
  await decision.getByLabel(/^Comment/).fill("Use the read-only role for this");
  await decision.getByRole("button", { name: "Deny" }).click();
  await expect(decision.locator("[data-status]").first()).toHaveText("denied");

  await page.reload();
  await expect(page.locator("[data-status]").first()).toHaveText("denied");
  await expect(page.getByText("“Use the read-only role for this”")).toBeVisible();
  await requester.close();
  await approver.close();
});

test("[ACCESS] an approved request is applied in Entra ID and Azure, shows its end, and can be ended early", async ({
  page,
  context,
}) => {
  await signInAs(context, "n02@contoso.com");
  await fileRequest(page, { cluster: "aks-dev-weu", role: "admin", justification: `Apply me ${Date.now()}` });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.locator("[data-status]").first().textContent();
      },
      { timeout: 30_000 },
    )
    .toBe("active");
  await expect(page.getByText("Access ends")).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Use your access" }).getByText("kubelogin remove-tokens", { exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Timeline" }).getByRole("list").filter({ hasText: "Access applied" }),
  ).toBeVisible();

  const n02 = await userIdOf(context.request, "n02@contoso.com");
  const holds = async () => {
    const state = await emulatorState(context.request);
    return {
      pim: state.pimGroupAssignments.some((a) => a.principalId === n02),
      roleAssignment: state.roleAssignments.some((a) => a.principalId === n02 && /aks-dev-weu$/i.test(a.scope)),
    };
  };
  expect(await holds()).toEqual({ pim: true, roleAssignment: true });
  await expectAccessible(page);

  await page.getByRole("button", { name: "End access now" }).click();
  await page.getByRole("button", { name: "Yes, end it now" }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  // The removal runs in a background job right after the request is marked ended.
  await expect.poll(holds, { timeout: 10_000 }).toEqual({ pim: false, roleAssignment: false });
});
