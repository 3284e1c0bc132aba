import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import type { EmulatorState } from "../../emulator/state";

export const APP_URL = process.env.E2E_APP_URL!;
export const EMULATOR_URL = process.env.E2E_EMULATOR_URL!;

/**
 * Starts a sign-in at the app and picks `userPrincipalName` at the emulator's account picker, with
 * HTTP requests sharing the context's cookies. Returns the callback URL Entra sends the browser to.
 */
export async function pickAccount(context: BrowserContext, userPrincipalName: string, appUrl = APP_URL) {
  const toEntra = await context.request.get(`${appUrl}/auth/sign-in`, { maxRedirects: 0 });
  const authorizeUrl = new URL(toEntra.headers().location!);
  const state = (await (await context.request.get(`${authorizeUrl.origin}/_emulator/state`)).json()) as EmulatorState;
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
export async function signInAs(context: BrowserContext, userPrincipalName: string, appUrl = APP_URL) {
  const callback = await context.request.get((await pickAccount(context, userPrincipalName, appUrl)).href, {
    maxRedirects: 0,
  });
  expect(callback.status(), "the callback should sign in and redirect").toBe(303);
}

/** Accessibility check (WCAG 2.1 A and AA) of what the page shows now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export type { EmulatorState };

/**
 * The demo app registration's own token for `scope` (client credentials), as an admin's tooling
 * outside AKS JIT would get one: to change the tenant behind the app's back.
 */
export async function appToken(request: APIRequestContext, scope: string) {
  const tenant = JSON.parse(readFileSync(new URL("../../emulator/tenant.json", import.meta.url), "utf8")) as {
    tenant: { id: string };
    applications: Array<{ appId: string; clientSecret: string }>;
  };
  const app = tenant.applications[0]!;
  const response = await request.post(`${EMULATOR_URL}/${tenant.tenant.id}/oauth2/v2.0/token`, {
    form: { grant_type: "client_credentials", client_id: app.appId, client_secret: app.clientSecret, scope },
  });
  expect(response.ok(), "the emulator should issue an app token").toBe(true);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function emulatorState(request: APIRequestContext): Promise<EmulatorState> {
  const response = await request.get(`${EMULATOR_URL}/_emulator/state`);
  expect(response.ok(), "the emulator should show its state").toBe(true);
  return (await response.json()) as EmulatorState;
}

export async function userIdOf(request: APIRequestContext, userPrincipalName: string) {
  const user = (await emulatorState(request)).users.find((u) => u.userPrincipalName === userPrincipalName);
  expect(user, `${userPrincipalName} should be in the demo tenant`).toBeTruthy();
  return user!.id;
}

/** Files a request from My access and waits for its page: leaving the form earlier aborts the submission. */
export async function fileRequest(
  page: Page,
  fields: { cluster: string; role: string; justification: string; ticket?: string; duration?: string },
) {
  await page.goto("/access");
  await page.getByLabel("Cluster", { exact: true }).selectOption(fields.cluster);
  await page.getByLabel("Role", { exact: true }).selectOption(fields.role);
  if (fields.duration) await page.getByLabel("Duration").selectOption(fields.duration);
  await page.getByLabel(/^Justification/).fill(fields.justification);
  if (fields.ticket !== undefined) await page.getByLabel(/^Ticket/).fill(fields.ticket);
  await page.getByRole("button", { name: "Request access" }).click();
}

/**
 * Waits until React has hydrated the element: until then a click submits the form natively or not at
 * all, and fields typed into may be reset. React marks the DOM nodes it owns with `__reactFiber$…`.
 */
export async function waitForHydration(page: Page, selector: string) {
  await page.waitForFunction((css) => {
    const element = document.querySelector(css);
    return element !== null && Object.keys(element).some((key) => key.startsWith("__reactFiber"));
  }, selector);
}

/** Reloads a request's page until its status reads `status` (activation runs in a background job). */
export async function waitForStatus(page: Page, status: string, timeout = 30_000) {
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.locator("[data-status]").first().textContent();
      },
      { timeout },
    )
    .toBe(status);
}

/**
 * What the browser says about the app's security headers: a CSP that refused something (the
 * console message Chromium logs, and the `securitypolicyviolation` event, in case one is not
 * logged), or a Permissions-Policy or COOP header it could not apply.
 */
const SECURITY_POLICY_MESSAGE = /Content[- ]Security[- ]Policy|Permissions-Policy|Cross-Origin-Opener-Policy/i;

const watchedContexts = new WeakSet<BrowserContext>();

async function reportSecurityPolicyProblems(context: BrowserContext, problems: string[]) {
  if (watchedContexts.has(context)) return;
  watchedContexts.add(context);
  context.on("console", (message) => {
    if (SECURITY_POLICY_MESSAGE.test(message.text())) problems.push(`${message.page()?.url()}: ${message.text()}`);
  });
  await context.exposeBinding("__e2eSecurityPolicyViolation", ({ page }, description: string) => {
    problems.push(`${page.url()}: ${description}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __e2eSecurityPolicyViolation(description: string): void })
        .__e2eSecurityPolicyViolation;
      report(
        `${event.effectiveDirective} refused ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
}

export const test = base.extend<{ baseURL: string; securityPolicyProblems: string[] }>({
  baseURL: async ({}, provide) => provide(APP_URL),
  /**
   * Fails any journey in which the browser reports a CSP violation, in every browser context the
   * test opens (most open their own, one per person) and in their popups.
   */
  securityPolicyProblems: [
    async ({ browser }, provide) => {
      const problems: string[] = [];
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        await reportSecurityPolicyProblems(context, problems);
        return context;
      };
      await provide(problems);
      // The prototype's method again, for the next test.
      delete (browser as Partial<typeof browser>).newContext;
      expect(problems, "the browser should report no violation of the app's security headers").toEqual([]);
    },
    { auto: true },
  ],
  context: async ({ context, securityPolicyProblems }, provide) => {
    await reportSecurityPolicyProblems(context, securityPolicyProblems);
    await provide(context);
  },
});

export { expect };
