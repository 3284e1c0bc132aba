import { expect, pickAccount, signInAs, test } from "./support/fixtures";

/** Guards the session cookie and the sign-in callback against forgery and replay. */

test("[AUTH] a tampered session cookie is rejected", async ({ page, context }) => {
  await signInAs(context, "n01@contoso.com");
  const [session] = (await context.cookies()).filter((c) => c.name === "jit_session");
  await context.addCookies([{ ...session!, value: `${session!.value.slice(0, -6)}AAAAAA` }]);
  await page.goto("/access");
  await expect(page).toHaveURL(/\/oauth2\/v2\.0\/authorize\?/);
});

test("[AUTH] a callback with a wrong state is rejected with a clear message", async ({ page, context }) => {
  const callback = await pickAccount(context, "n01@contoso.com");
  callback.searchParams.set("state", "forged");
  await page.goto(callback.href);
  await expect(page).toHaveURL(/\/auth\/error\?reason=state_mismatch/);
  await expect(page.getByRole("heading", { name: "The sign-in response did not match your sign-in" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === "jit_session")).toBe(false);
});

test("[AUTH] a replayed callback is rejected: first by the app, then by Entra ID", async ({ page, context }) => {
  const callback = await pickAccount(context, "n01@contoso.com");
  const signInCookie = (await context.cookies()).find((c) => c.name === "jit_sign_in")!;
  await page.goto(callback.href);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Nadia Okafor");
  await context.clearCookies();

  // The app forgets a sign-in attempt once used.
  await page.goto(callback.href);
  await expect(page.getByRole("heading", { name: "This sign-in has expired or was already used" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === "jit_session")).toBe(false);
  // Showing the page starts no sign-in: "Sign in again" is followed, never prefetched (a prefetch of
  // /auth/sign-in would set a new attempt's cookie over the one of any sign-in in progress).
  await page.waitForLoadState("networkidle");
  expect((await context.cookies()).some((c) => c.name === "jit_sign_in")).toBe(false);

  // Even with the attempt's cookie restored, Entra ID refuses the used code.
  await context.addCookies([signInCookie]);
  await page.goto(callback.href);
  await expect(page.getByRole("heading", { name: "This sign-in code was already used" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === "jit_session")).toBe(false);
});
