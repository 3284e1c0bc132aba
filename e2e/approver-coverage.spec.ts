import type { Page } from "@playwright/test";
import { appToken, EMULATOR_URL, expect, expectAccessible, signInAs, test, userIdOf } from "./support/fixtures";

/**
 * An admin sees on the Admin page whether each role can be approved: the demo tenant covers every
 * role; once the approver group keeps only n02, who may request the same roles, each approval role
 * is named with its group and what to fix, readable on a phone.
 */
const APPROVER_GROUP = "09ecf0d7-9504-4f6c-b557-71f30e9759bf";

/** The page fits a 390 px phone without scrolling sideways, and passes axe. */
async function expectPhoneReady(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  await expectAccessible(page);
}

test("[ADMIN] approver coverage names each role its approvers cannot cover, with the group and the fix", async ({
  browser,
}) => {
  // The Admin page reads members at most once a minute: the warning may take that long to show.
  test.setTimeout(150_000);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(context, "adm01@contoso.com");
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin");
  const coverage = page.getByRole("region", { name: "Approver coverage" });
  await expect(coverage).toContainText("Every role can be approved and heard.");
  await expectPhoneReady(page);

  const p01 = await userIdOf(context.request, "p01@contoso.com");
  const token = await appToken(context.request, "https://graph.microsoft.com/.default");
  const headers = { authorization: `Bearer ${token}` };
  const removed = await context.request.delete(`${EMULATOR_URL}/v1.0/groups/${APPROVER_GROUP}/members/${p01}/$ref`, {
    headers,
  });
  expect(removed.status()).toBe(204);
  try {
    await expect(async () => {
      await page.reload();
      await expect(coverage.locator('[data-coverage-code="too-few-approvers"]')).toHaveCount(3, { timeout: 1_000 });
    }).toPass({ timeout: 100_000, intervals: [5_000] });
    const warning = coverage.locator("li").filter({ hasText: "aks-prod-weu/admin" });
    await expect(warning).toContainText("Too few approvers");
    await expect(warning).toContainText(
      `approver group "approver" (${APPROVER_GROUP}) has 1 person, who may request it too`,
    );
    await expect(warning).toContainText("Fix: Add at least 1 more person who does not request this role");
    await expectPhoneReady(page);
  } finally {
    const restored = await context.request.post(`${EMULATOR_URL}/v1.0/groups/${APPROVER_GROUP}/members/$ref`, {
      headers,
      data: { "@odata.id": `${EMULATOR_URL}/v1.0/directoryObjects/${p01}` },
    });
    expect(restored.status()).toBe(204);
    await context.close();
  }
});
