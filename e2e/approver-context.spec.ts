import type { Page } from "@playwright/test";
import { expect, expectAccessible, fileRequest, signInAs, test, waitForHydration } from "./support/fixtures";

/**
 * An approver decides with the whole picture: the cluster's environment and risk, what the role
 * grants, the ticket as a link, the requester's other access and a warning about an overlapping
 * request for the same role, who else may approve; the navigation counts what waits for them, and
 * "Then open the next request" decides and moves on. At 1440×900, then on a 390×844 phone.
 */

async function fileAndOpen(page: Page, fields: Parameters<typeof fileRequest>[1]) {
  await fileRequest(page, fields);
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  return page.url();
}

/** The count in the Approvals link's name ("Approvals, 3 pending"); 0 when it has none. */
async function pendingInNav(page: Page) {
  const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Approvals/ });
  const name = (await link.getAttribute("aria-label")) ?? "Approvals";
  return Number(/^Approvals, (\d+) pending$/.exec(name)?.[1] ?? 0);
}

test("[APPROVALS] an approver sees the requester's context and the quorum, and moves on with Approve & next", async ({
  browser,
}) => {
  const stamp = Date.now();
  const ticket = `INC${String(stamp).slice(-7)}`;
  const requester = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
  await signInAs(requester, "n01@contoso.com");
  const filer = await requester.newPage();
  // Access to another role (approved below), then the same role on production twice, overlapping.
  const elsewhere = await fileAndOpen(filer, {
    cluster: "aks-prod-weu",
    role: "node-access",
    justification: `Read the kubelet logs ${stamp}`,
    ticket,
  });
  const first = await fileAndOpen(filer, {
    cluster: "aks-prod-weu",
    role: "admin",
    justification: `Rotate the ingress certificate ${stamp}`,
    ticket,
  });
  const second = await fileAndOpen(filer, {
    cluster: "aks-prod-weu",
    role: "admin",
    justification: `Check the ingress again ${stamp}`,
    ticket,
  });
  // The requester sees neither who else may approve nor the approver's view of their own requests.
  await expect(filer.getByRole("heading", { name: /other access and open requests/ })).toHaveCount(0);
  await expect(filer.getByTestId("quorum")).toHaveText("0 of 1 required");

  const approver = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
  await signInAs(approver, "p01@contoso.com");
  const page = await approver.newPage();
  await page.goto(elsewhere);
  await waitForHydration(page, 'button[value="approve"]');
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);

  await page.goto("/approvals");
  const waiting = await pendingInNav(page);
  expect(waiting, "both admin requests wait for p01").toBeGreaterThanOrEqual(2);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Approvals: ${waiting} waiting for you`);
  const row = page.getByRole("row").filter({ has: page.locator(`a[href="${new URL(first).pathname}"]`) });
  await expect(row.getByTestId("risk")).toHaveText("high risk");
  await expectAccessible(page);

  await page.goto(first);
  await expect(page.getByTestId("environment")).toHaveText("Environment: production");
  await expect(page.getByTestId("risk")).toHaveText("high risk");
  await expect(page.getByTestId("role-description")).toHaveText(
    "Kubernetes cluster admin (Azure Kubernetes Service RBAC Admin)",
  );
  const ticketLink = page.getByRole("link", { name: `${ticket} (opens the ticket in a new tab)` });
  await expect(ticketLink).toHaveAttribute("href", `https://tickets.contoso.com/browse/${ticket}`);
  await expect(ticketLink).toHaveAttribute("rel", "noopener noreferrer");

  const others = page.getByRole("region", { name: "Nadia Okafor's other access and open requests" });
  // Other journeys leave n01 more requests: these two are among them.
  await expect(others.locator(`a[href="${new URL(elsewhere).pathname}"]`)).toHaveText("node-access on aks-prod-weu");
  await expect(others.locator(`a[href="${new URL(second).pathname}"]`).first()).toBeVisible();
  await expect(others.getByTestId("overlap-warning")).toContainText(
    "Nadia Okafor has already requested admin on aks-prod-weu for a period that overlaps this one",
  );
  await expect(page.getByTestId("quorum")).toHaveText(
    "1 approval required: none yet; 1 more needed from approver (Noah Schmidt, Priya Raman).",
  );
  await expectAccessible(page);

  await waitForHydration(page, 'button[value="approve"]');
  await page.getByLabel("Then open the next request waiting for me (oldest first)").check();
  await page.getByLabel(/^Comment/).fill("Ticket checked");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?queue=1$/);
  expect(new URL(page.url()).pathname).not.toBe(new URL(first).pathname);
  await expect(page.getByRole("button", { name: "Approve", exact: true })).toBeVisible();
  await expect(page.getByLabel("Then open the next request waiting for me (oldest first)")).toBeChecked();
  await expect.poll(() => pendingInNav(page)).toBe(waiting - 1);

  // On a phone: the menu button carries the count, the context fits the screen, axe is clean.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(second);
  await expect(page.getByRole("button", { name: `Menu, ${waiting - 1} pending approvals` })).toBeVisible();
  await expect(page.getByTestId("risk")).toBeVisible();
  // The first one, approved a moment ago, is being applied or already active.
  await expect(page.getByTestId("overlap-warning")).toContainText(
    /Nadia Okafor (has already requested|already holds) admin on aks-prod-weu/,
  );
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, "the request page should fit the phone").toBeLessThanOrEqual(innerWidth);
  await expectAccessible(page);

  await waitForHydration(page, 'button[value="approve"]');
  await page.getByLabel("Then open the next request waiting for me (oldest first)").check();
  await page.getByRole("button", { name: "Approve", exact: true }).first().click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?queue=1$|\/approvals\?done=1$/);
  expect(new URL(page.url()).pathname).not.toBe(new URL(second).pathname);
  if (waiting - 2 > 0) {
    await expect(page.getByRole("button", { name: `Menu, ${waiting - 2} pending approvals` })).toBeVisible();
  } else {
    await expect(page.getByRole("status")).toHaveText("Decision recorded. Nothing else waits for you.");
    await expect(page.getByRole("button", { name: "Menu", exact: true })).toBeVisible();
  }
  await expectAccessible(page);

  // Later journeys check what n01 holds in Entra ID and Azure: n01 ends the access this one gave them.
  for (const url of [elsewhere, first, second]) {
    await filer.goto(url);
    await expect(filer.locator("[data-status]").first()).toHaveText("active", { timeout: 30_000 });
    await filer.getByRole("button", { name: /^End access now/ }).click();
    await filer.getByRole("button", { name: /^Yes, end it now/ }).click();
    await expect(filer.locator("[data-status]").first()).toHaveText("ended early");
  }
  await requester.close();
  await approver.close();
});
