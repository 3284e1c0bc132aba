import { expect, expectAccessible, signInAs, test } from "./support/fixtures";

/**
 * The approvals inbox is read a page at a time, newest first, so that no pending request is cut off
 * by a cap: its paging controls are plain, named links that work without JavaScript.
 */

test("[APPROVALS] the inbox pages with named links, newest first", async ({ page, context }) => {
  await signInAs(context, "p01@contoso.com");
  await page.goto("/approvals?page=2");
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();
  await expect(page.getByText("newest first").first()).toBeVisible();
  const pager = page.getByRole("navigation", { name: "Approvals: pages" });
  await expect(pager).toContainText("Page 2");
  await expectAccessible(page);
  await pager.getByRole("link", { name: "Newer" }).click();
  await expect(page).toHaveURL(/\/approvals\?page=1$/);
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();
});
