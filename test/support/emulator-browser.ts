/**
 * Plays the browser's part at the emulator's account picker over plain HTTP: loads the authorize
 * URL (checking the page), then submits the picker form as if the person had clicked an account.
 * Returns the URL Entra would send the browser back to (the app's callback with code or error).
 */
import type { EmulatorState } from "../../emulator/state";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";

const tenant = Tenant.fromFile(DEMO_TENANT_FILE);

export function demoUser(userPrincipalName: string) {
  const user = tenant.user(userPrincipalName);
  if (!user) throw new Error(`no demo user ${userPrincipalName}`);
  return user;
}

/** A demo user's id, or that of a user a test created at runtime (POST /_emulator/users). */
async function userIdAt(emulatorOrigin: string, userPrincipalName: string) {
  if (tenant.user(userPrincipalName)) return demoUser(userPrincipalName).id;
  const state = (await (await fetch(`${emulatorOrigin}/_emulator/state`)).json()) as EmulatorState;
  const user = state.users.find((u) => u.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase());
  if (!user) throw new Error(`no user ${userPrincipalName} at the emulator`);
  return user.id;
}

export async function pickAccount(authorizeUrl: string, choice: { userPrincipalName: string } | "cancel") {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${await page.text()}`);
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  if (choice === "cancel") form.set("cancel", "1");
  else form.set("user_id", await userIdAt(url.origin, choice.userPrincipalName));
  const response = await fetch(`${url.origin}${url.pathname}`, { method: "POST", body: form, redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || !location) throw new Error(`account picker answered ${response.status}`);
  return new URL(location);
}
