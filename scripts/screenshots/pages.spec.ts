import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { ROOT } from "../lib/paths";
import { expect, fileRequest, signInAs, test, waitForHydration } from "../../e2e/support/fixtures";

/** Where the README's screenshots go; each is `<page>-desktop.png` and `<page>-phone.png`. */
const IMAGES = path.join(ROOT, "docs", "images");

const SIZES = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

async function as(browser: Browser, upn: string, size: keyof typeof SIZES) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: SIZES[size] });
  await signInAs(context, upn);
  return context.newPage();
}

/** A picture of what the page shows once it is hydrated and idle, named for the README. */
async function shoot(page: Page, name: string, size: keyof typeof SIZES) {
  await waitForHydration(page, "h1");
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.screenshot({ path: path.join(IMAGES, `${name}-${size}.png`), animations: "disabled" });
}

for (const size of Object.keys(SIZES) as Array<keyof typeof SIZES>) {
  test(`screenshots at ${size} size`, async ({ browser }) => {
    const requester = await as(browser, "n01@contoso.com", size);
    await fileRequest(requester, {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT2H",
      justification: "Rotate the ingress TLS certificate before it expires on Monday",
      ticket: "INC12345",
    });
    await expect(requester).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestPath = new URL(requester.url()).pathname;

    const approver = await as(browser, "p01@contoso.com", size);
    await approver.goto("/approvals");
    await expect(approver.locator("main")).toContainText("INC12345");
    await shoot(approver, "approvals", size);
    await approver.goto(requestPath);
    await expect(approver.getByRole("button", { name: "Approve" }).first()).toBeVisible();
    await shoot(approver, "request", size);
    await approver.goto("/notifications");
    await shoot(approver, "notifications", size);
    await approver.goto(requestPath);
    await approver.getByLabel(/^Comment/).fill("Ticket checked, change window confirmed");
    await approver.getByRole("button", { name: "Approve" }).first().click();

    await requester.goto(requestPath);
    await expect(requester.getByTestId("progress-status")).toHaveText(/^Status: Active since /, { timeout: 30_000 });
    await shoot(requester, "request-active", size);
    await requester.goto("/access");
    await shoot(requester, "my-access", size);

    const auditor = await as(browser, "aud01@contoso.com", size);
    await auditor.goto("/audit");
    await shoot(auditor, "audit", size);
    await auditor.goto(`/audit${requestPath}`);
    await shoot(auditor, "audit-timeline", size);

    const admin = await as(browser, "adm01@contoso.com", size);
    await admin.goto("/admin");
    await shoot(admin, "admin", size);
  });
}
