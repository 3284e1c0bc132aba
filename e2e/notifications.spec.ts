import { emulatorState, expect, expectAccessible, fileRequest, signInAs, test } from "./support/fixtures";

/**
 * An approver hears of a new request where they work: a mail in their mailbox within seconds, whose
 * link opens the request, and the same news in the dashboard's notification list with its unread
 * count, which only they see.
 */
test("[NOTIFY] n01's new prod request mails p01 a working link, and p01's notification list holds it", async ({
  browser,
}) => {
  const requester = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  const justification = `Notify journey: rotate the ingress certificate ${Date.now()}`;
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification,
    ticket: "INC12345",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestPath = new URL(page.url()).pathname;
  const filedAt = Date.now();

  // The mail: to p01 (an approver of the role), never to n01 who filed it, within 10 seconds.
  let mail: { to: string[]; subject: string; body: string; sentAt: string } | undefined;
  await expect
    .poll(
      async () => {
        const sent = (await emulatorState(requester.request)).mail;
        mail = sent.find((m) => m.to.includes("p01@contoso.com") && m.body.includes(requestPath));
        return (
          mail !== undefined && !sent.some((m) => m.to.includes("n01@contoso.com") && m.body.includes(requestPath))
        );
      },
      { timeout: 10_000, intervals: [250] },
    )
    .toBe(true);
  test
    .info()
    .annotations.push({ type: "timing", description: `mail ${Date.parse(mail!.sentAt) - filedAt} ms after filing` });
  const link = /href="([^"]+)"/.exec(mail!.body)?.[1]?.replaceAll("&amp;", "&");
  expect(link, "the mail should link to the request").toBeTruthy();

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const inbox = await approver.newPage();
  await inbox.goto(link!);
  await expect(inbox).toHaveURL(new RegExp(`${requestPath}$`));
  await expect(inbox.getByRole("button", { name: "Approve" })).toBeVisible();

  // In the dashboard: the unread count in the header, and the notification in p01's list.
  const notificationsLink = inbox.getByRole("link", { name: /^Notifications, \d+ unread$/ });
  await expect(notificationsLink).toBeVisible();
  const unreadBefore = Number(/(\d+) unread/.exec((await notificationsLink.getAttribute("aria-label"))!)![1]);
  await notificationsLink.click();
  await expect(inbox).toHaveURL(/\/notifications$/);
  const item = inbox.getByRole("listitem").filter({ has: inbox.locator(`a[href="${requestPath}"]`) });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("New");
  await expectAccessible(inbox);
  await item.getByRole("button", { name: /^Mark as read/ }).click();
  await expect(item).not.toContainText("New");
  await expect(inbox.getByRole("link", { name: /^Notifications, / })).toHaveAttribute(
    "aria-label",
    unreadBefore - 1 > 0 ? `Notifications, ${unreadBefore - 1} unread` : "Notifications, none unread",
  );

  // n01 does not see p01's notification.
  const own = await requester.newPage();
  await own.goto("/notifications");
  await expect(own.locator(`a[href="${requestPath}"]`)).toHaveCount(0);

  // Leave no pending prod request behind for the other journeys.
  await page.getByRole("button", { name: /^Cancel this request/ }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("cancelled");
  await requester.close();
  await approver.close();
});
