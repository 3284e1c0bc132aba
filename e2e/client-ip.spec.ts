import { APP_URL, expect, fileRequest, signInAs, test } from "./support/fixtures";

/**
 * Guards the audit trail against a client-chosen IP address, through the built server as it runs in
 * production (instrumentation.ts records each request's socket address, proxy.ts passes it on): the
 * issue found the first X-Forwarded-For entry stored as the client sent it. The demo trusts no proxy,
 * so a server action and an API call that both claim 198.51.100.9 are recorded from loopback.
 */
test("[AUDIT] the audit trail records the address a request came from, not a spoofed X-Forwarded-For", async ({
  browser,
}) => {
  const spoofed = { "x-forwarded-for": "198.51.100.9", "x-real-ip": "198.51.100.9" };
  const requester = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: spoofed });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "admin",
    justification: `Client address check ${Date.now()}`,
    ticket: "INC12345",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestId = new URL(page.url()).pathname.split("/").pop()!;
  const cancelled = await requester.request.post(`${APP_URL}/api/v1/requests/${requestId}/cancel`, {
    headers: { origin: new URL(APP_URL).origin, "content-type": "application/json" },
    data: {},
  });
  expect(cancelled.status()).toBe(200);
  await requester.close();

  const auditor = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(auditor, "aud01@contoso.com");
  const trail = await auditor.newPage();
  await trail.goto(`/audit/requests/${requestId}`);
  const loopback = /(127\.0\.0\.1|::1)$/;
  await expect(trail.getByText(/^Via dashboard from /)).toHaveText(loopback);
  await expect(trail.getByText(/^Via API from /)).toHaveText(loopback);
  await expect(trail.locator("main")).not.toContainText("198.51.100.9");
  await auditor.close();
});
