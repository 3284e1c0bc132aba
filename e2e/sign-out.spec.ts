import { expect, expectAccessible, signInAs, test } from "./support/fixtures";

test("[AUTH] sign-out ends the session and the old cookie no longer opens any page", async ({
  page,
  context,
  browser,
}) => {
  await signInAs(context, "adm01@contoso.com");
  await page.goto("/admin");
  const oldCookies = await context.cookies();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signed-out$/);
  await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
  await expectAccessible(page);

  const replay = await browser.newContext({ ignoreHTTPSErrors: true });
  await replay.addCookies(oldCookies);
  const replayPage = await replay.newPage();
  for (const path of ["/access", "/approvals", "/audit", "/admin"]) {
    await replayPage.goto(path);
    await expect(replayPage, `${path} must send the old cookie to sign-in`).toHaveURL(/\/oauth2\/v2\.0\/authorize\?/);
  }
  await replay.close();
});
