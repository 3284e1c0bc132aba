import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

export const APP_URL = process.env.E2E_APP_URL!;

/**
 * Starts a sign-in at the app and picks `userPrincipalName` at the emulator's account picker, with
 * HTTP requests sharing the context's cookies. Returns the callback URL Entra sends the browser to.
 */
export async function pickAccount(context: BrowserContext, userPrincipalName: string) {
  const toEntra = await context.request.get(`${APP_URL}/auth/sign-in`, { maxRedirects: 0 });
  const authorizeUrl = new URL(toEntra.headers().location!);
  const state = (await (await context.request.get(`${authorizeUrl.origin}/_emulator/state`)).json()) as {
    users: Array<{ id: string; userPrincipalName: string }>;
  };
  const user = state.users.find((u) => u.userPrincipalName === userPrincipalName)!;
  const picked = await context.request.post(`${authorizeUrl.origin}${authorizeUrl.pathname}`, {
    form: { ...Object.fromEntries(authorizeUrl.searchParams), user_id: user.id },
    maxRedirects: 0,
  });
  return new URL(picked.headers().location!);
}

/**
 * Signs a browser context in as a demo user through the real flow (the app's /auth/sign-in, the
 * emulator's account picker, the app's callback), with requests instead of clicks. Journeys about
 * sign-in itself click through the pages instead.
 */
export async function signInAs(context: BrowserContext, userPrincipalName: string) {
  const callback = await context.request.get((await pickAccount(context, userPrincipalName)).href, { maxRedirects: 0 });
  expect(callback.status(), "the callback should sign in and redirect").toBe(303);
}

/** Accessibility check (WCAG 2.1 A and AA) of what the page shows now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export const test = base.extend<{ baseURL: string }>({
  baseURL: async ({}, provide) => provide(APP_URL),
});

export { expect };
