import { expect, expectAccessible, signInAs, test, waitForHydration, waitForStatus } from "./support/fixtures";

/**
 * Break-glass is reviewed afterwards: the request waits in the review queue for the role's approvers
 * and the auditors, never for the person who used it, and leaves it once marked reviewed with a
 * note and the late ticket; the timeline shows the review. On a desktop and on a phone.
 */

const SIZES = [
  { name: "desktop", viewport: { width: 1440, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

for (const { name, viewport } of SIZES) {
  test.describe(`on a ${name}`, () => {
    test.use({ viewport });

    test(`[BREAK-GLASS] break-glass access waits in the review queue until an approver marks it reviewed with the late ticket (${name})`, async ({
      browser,
    }) => {
      const justification = `Ingress down, paging ${name} ${Date.now()}`;
      const holder = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
      await signInAs(holder, "n02@contoso.com");
      const page = await holder.newPage();
      await page.goto("/access");
      await waitForHydration(page, "form button[type='submit']");
      await page.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu");
      await page.getByLabel("Role", { exact: true }).selectOption("admin");
      await page.getByLabel(/^Justification/).fill(justification);
      await page.getByRole("checkbox", { name: /Break-glass/ }).check();
      await page.getByRole("button", { name: "Request access" }).click();
      await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
      const requestPath = new URL(page.url()).pathname;
      // Break-glass needs no approval: end it now, so that no access outlives the journey.
      await waitForStatus(page, "active");
      await page.getByRole("button", { name: "End access now" }).click();
      await page.getByRole("button", { name: "Yes, end it now" }).click();
      await expect(page.locator("[data-status]").first()).toHaveText("ended early");
      // n02 approves this role too, but never reviews their own break-glass.
      const ownReview = page.getByRole("region", { name: "Break-glass review" });
      await expect(ownReview).toContainText("someone else must review it");
      await expect(ownReview.getByRole("button", { name: "Mark reviewed" })).toHaveCount(0);

      const approver = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
      await signInAs(approver, "p01@contoso.com");
      const review = await approver.newPage();
      await review.goto("/approvals");
      await review.getByRole("link", { name: "Break-glass review" }).click();
      await expect(review).toHaveURL(/\/approvals\/break-glass$/);
      const row = review.getByRole("row").filter({ hasText: justification });
      await expect(row).toContainText("Owed");
      await expect(row).toContainText("n02@contoso.com");
      await expect(review.getByRole("heading", { name: "Break-glass review" })).toBeVisible();
      await expectAccessible(review);
      expect(await review.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);

      await row.getByRole("link", { name: /^Review / }).click();
      await expect(review).toHaveURL(new RegExp(`${requestPath}#review$`));
      const section = review.getByRole("region", { name: "Break-glass review" });
      await waitForHydration(review, "#review-note");
      // Without the late ticket or a reason, the review is refused on the ticket field, which takes focus.
      await section.getByLabel(/^Review note/).fill("Real outage; access used to restart the ingress only.");
      await section.getByRole("button", { name: "Mark reviewed" }).click();
      await expect(section.getByLabel("Late ticket")).toBeFocused();
      await expect(section.locator("#review-ticket-error")).toContainText(
        "give the ticket now, or say why none exists",
      );
      await expect(section.getByLabel(/^Review note/)).toHaveValue(
        "Real outage; access used to restart the ingress only.",
      );
      await expectAccessible(review);
      await section.getByLabel("Late ticket").fill("inc424242");
      await section.getByRole("button", { name: "Mark reviewed" }).click();

      await expect(section.getByTestId("break-glass-reviewed")).toContainText("Reviewed by");
      await expect(section).toContainText("Late ticket: INC424242");
      const timeline = review.getByRole("region", { name: "Timeline" });
      await expect(timeline.getByRole("listitem").filter({ hasText: "Break-glass reviewed" })).toContainText(
        "p01@contoso.com",
      );
      await expect(timeline).toContainText("Real outage; access used to restart the ingress only.");
      await expect(review.getByText("INC424242").first()).toBeVisible();
      await expectAccessible(review);

      await review.goto("/approvals/break-glass");
      await expect(review.getByRole("heading", { name: "Break-glass review" })).toBeVisible();
      await expect(review.getByRole("row").filter({ hasText: justification })).toHaveCount(0);

      // The auditor's view of the request's trail holds the review.
      const auditor = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
      await signInAs(auditor, "aud01@contoso.com");
      const trail = await auditor.newPage();
      await trail.goto(`/audit${requestPath}`);
      const reviewed = trail.getByRole("row").filter({ hasText: "break_glass.reviewed" });
      await expect(reviewed).toContainText("Late ticket: INC424242");
      await expect(reviewed).toContainText("p01@contoso.com");
      await expectAccessible(trail);
      await auditor.close();

      // The holder's page shows the review too.
      await page.reload();
      await expect(page.getByRole("region", { name: "Break-glass review" })).toContainText("Late ticket: INC424242");
      await holder.close();
      await approver.close();
    });
  });
}
