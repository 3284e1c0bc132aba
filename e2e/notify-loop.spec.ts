import type { APIRequestContext, Page } from "@playwright/test";
import {
  emulatorState,
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  waitForStatus,
} from "./support/fixtures";

/**
 * Notifications close the loop: the holder is told in the app and by mail that their access is
 * active (with the command to connect), that it ends soon, and that it was revoked (by whom, why,
 * and that they were signed out); the other approver's "Approval needed" item shows how it was
 * settled and no longer counts as new. At a desktop size and on a phone.
 */

/** The subjects of mails to `to` about the request at `path`. */
async function subjectsTo(request: APIRequestContext, to: string, path: string) {
  return (await emulatorState(request)).mail
    .filter((m) => m.to.includes(to) && m.body.includes(path))
    .map((m) => m.subject);
}

/** Reloads the notification list until an item linking to `path` says `text` (news comes from background jobs). */
async function waitForItem(page: Page, path: string, text: RegExp) {
  const item = page
    .getByRole("listitem")
    .filter({ has: page.locator(`a[href^="${path}"]`) })
    .filter({ hasText: text });
  await expect
    .poll(
      async () => {
        await page.goto("/notifications");
        return item.count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  return item;
}

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
]) {
  test(`[NOTIFY] the holder hears of activation, ending soon and revocation; the other approver's item resolves (${viewport.width}×${viewport.height})`, async ({
    browser,
  }) => {
    test.setTimeout(150_000);
    const open = async (upn: string) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
      await signInAs(context, upn);
      return { context, page: await context.newPage() };
    };
    const holder = await open("n01@contoso.com");
    // 15 minutes: within NOTIFY_ENDING_SOON_MINUTES (15) of its end from the moment it is active.
    await fileRequest(holder.page, {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT15M",
      justification: `Notify loop: rotate the ingress certificate ${Date.now()}`,
      ticket: "INC12345",
    });
    await expect(holder.page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestPath = new URL(holder.page.url()).pathname;

    // n02, an approver too, is asked.
    const other = await open("n02@contoso.com");
    const asked = await waitForItem(other.page, requestPath, /Approval needed/);
    await expect(asked).toContainText("New");

    // p01 approves; n02's item shows who settled it, and is no longer new.
    const approver = await open("p01@contoso.com");
    await approver.page.goto(requestPath);
    await approver.page.getByLabel(/^Comment/).fill("Ticket checked");
    // The form's own button: on a phone the sticky decision bar repeats it once the form scrolls away.
    const approve = approver.page.getByRole("button", { name: "Approve" }).first();
    await expect(approve).toBeEnabled();
    await approve.click();
    await expect(approver.page.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);
    const resolved = await waitForItem(other.page, requestPath, /Resolved/);
    await expect(resolved.getByTestId("resolution")).toContainText(/Approved by p01@contoso\.com at \d{4}-\d\d-\d\d/);
    await expect(resolved).not.toContainText("New");
    await expect(resolved.getByRole("button", { name: /^Mark as read/ })).toHaveCount(0);
    await expectAccessible(other.page);

    // The holder: active, with the command to connect, and ending soon, in the app and by mail.
    await holder.page.goto(requestPath);
    await waitForStatus(holder.page, "active");
    const active = await waitForItem(holder.page, requestPath, /Active: your admin on aks-prod-weu access, until/);
    await expect(active).toContainText("az aks get-credentials");
    await waitForItem(holder.page, requestPath, /Your admin on aks-prod-weu access ends in/);
    await expect
      .poll(() => subjectsTo(holder.context.request, "n01@contoso.com", requestPath), { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/Active: your admin on aks-prod-weu access, until/),
          expect.stringMatching(/Your admin on aks-prod-weu access ends in/),
        ]),
      );
    await expectAccessible(holder.page);

    // adm01 revokes it, signing n01 out; n01 reads who, why and what that means for their tokens.
    const admin = await open("adm01@contoso.com");
    await admin.page.goto(`${requestPath}#administer`);
    const administer = admin.page.getByRole("region", { name: "Administer" });
    await administer.getByLabel(/^Reason/).fill("Incident closed, access no longer needed");
    await administer.getByLabel("Also sign them out of Entra ID (revoke sign-in sessions)").check();
    await administer.getByRole("button", { name: "Revoke access" }).click();
    await expect(admin.page.locator("[data-status]").first()).toHaveText("revoked");
    const revoked = await waitForItem(holder.page, requestPath, /Revoked: your admin on aks-prod-weu access/);
    await expect(revoked).toContainText("adm01@contoso.com");
    await expect(revoked).toContainText("Reason: “Incident closed, access no longer needed”");
    await expect(revoked).toContainText("You were signed out of Entra ID, but access tokens issued before then");
    await expect
      .poll(() => subjectsTo(holder.context.request, "n01@contoso.com", requestPath), { timeout: 15_000 })
      .toContainEqual(expect.stringMatching(/Revoked: your admin on aks-prod-weu access/));
    expect(
      await holder.page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth),
      "the notification list should fit the screen",
    ).toBe(true);
    await expectAccessible(holder.page);

    // The holder's channel choice, by keyboard: mail off, saved, then on again for the other journeys.
    const mail = holder.page.getByRole("checkbox", { name: "Send me notification mail" });
    await expect(mail).toBeChecked();
    await mail.focus();
    await holder.page.keyboard.press("Space");
    await holder.page.keyboard.press("Tab");
    await expect(holder.page.getByRole("button", { name: "Save" })).toBeFocused();
    await holder.page.keyboard.press("Enter");
    await expect(holder.page.getByRole("status").filter({ hasText: "Saved" })).toHaveText(
      "Saved: mail is off, except urgent news.",
    );
    await holder.page.reload();
    await expect(mail).not.toBeChecked();
    await expectAccessible(holder.page);
    await mail.check();
    await holder.page.getByRole("button", { name: "Save" }).click();
    await expect(holder.page.getByRole("status").filter({ hasText: "Saved" })).toHaveText(
      "Saved: you get notification mail.",
    );

    for (const person of [holder, other, approver, admin]) await person.context.close();
  });
}
