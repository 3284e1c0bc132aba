import { expect, expectAccessible, test } from "./support/fixtures";

test("[AUTH] an anonymous visitor is sent to Entra ID, picks n01 and comes back signed in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/oauth2\/v2\.0\/authorize\?/);
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: /n01@contoso\.com/ }).click();

  await expect(page).toHaveURL(/\/access$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Nadia Okafor");
  await expect(page.getByRole("heading", { name: "My access" })).toBeVisible();
  await expectAccessible(page);
});

test("[AUTH] after sign-in the app returns to the page that was asked for", async ({ page }) => {
  await page.goto("/audit");
  await page.getByRole("button", { name: /aud01@contoso\.com/ }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
});
