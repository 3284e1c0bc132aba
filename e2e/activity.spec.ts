import type { APIRequestContext } from "@playwright/test";
import {
  EMULATOR_URL,
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  waitForHydration,
  waitForStatus,
} from "./support/fixtures";

/**
 * What the holder did with their access (issue 19): n01's prod admin access, approved then ended,
 * during which the cluster's audit logs (the emulator's Log Analytics workspace) recorded a secret
 * read, an exec, a delete, a denied call, and a call after the end with a token issued before it.
 * The auditor reads it from the request's timeline with "Check activity now"; the holder sees the
 * same Activity section on their request page, without the button.
 */
const MINUTE = 60_000;

interface Call {
  at: string;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  code?: number;
}

/** Appends audit-log rows for n01 on aks-prod-weu, as AKS writes them (the emulator's control endpoint). */
async function playCalls(request: APIRequestContext, calls: Call[]) {
  const response = await request.post(`${EMULATOR_URL}/_emulator/activity`, {
    data: { cluster: "aks-prod-weu", user: "n01@contoso.com", calls },
  });
  expect(response.ok(), `the emulator should take the calls: ${await response.text()}`).toBe(true);
}

test("[ACTIVITY] an auditor checks an ended grant's activity and sees the call after the end and the secret read; the holder sees it without the button", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const holder = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
  await signInAs(holder, "n01@contoso.com");
  const page = await holder.newPage();
  await fileRequest(page, {
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification: `Activity journey: rotate the payments secret ${Date.now()}`,
    ticket: "INC12345",
  });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const requestUrl = page.url();
  const requestId = new URL(requestUrl).pathname.split("/").pop()!;

  const approver = await browser.newContext({ ignoreHTTPSErrors: true });
  await signInAs(approver, "p01@contoso.com");
  const decision = await approver.newPage();
  await decision.goto(requestUrl);
  await decision.getByRole("button", { name: "Approve" }).click();
  await expect(decision.locator("[data-status]").first()).toHaveText(/^(approved|being activated|active)$/);
  await waitForStatus(page, "active");
  await page.getByRole("button", { name: /^End access now/ }).click();
  await page.getByRole("button", { name: /^Yes, end it now/ }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");

  // The access period as the app recorded it: the calls are played inside it, and one after it.
  const view = (await (await page.request.get(`/api/v1/requests/${requestId}`)).json()) as {
    activeFrom: string;
    activeUntil: string;
  };
  const from = Date.parse(view.activeFrom);
  const until = Date.parse(view.activeUntil);
  expect(until).toBeGreaterThan(from);
  const during = (k: number) => new Date(from + ((until - from) * k) / 6).toISOString();
  // A summary reads up to the moment it is made, never ahead: the call "after the end" is placed
  // between the end and now (20 minutes after it, had that much time passed), with a token issued before.
  await expect.poll(() => Date.now() - until).toBeGreaterThan(2_000);
  const afterEndAt = new Date(until + Math.min(20 * MINUTE, (Date.now() - until) / 2)).toISOString();
  await playCalls(page.request, [
    { at: during(1), verb: "get", resource: "secrets", namespace: "payments", name: "db-password" },
    // A watch is logged by AKSAuditAdmin too (it leaves out only get and list): a secret read either table shows.
    { at: during(1), verb: "watch", resource: "secrets", namespace: "payments", name: "db-password" },
    { at: during(2), verb: "create", resource: "pods", subresource: "exec", namespace: "payments", name: "api-7d9f" },
    { at: during(3), verb: "delete", resource: "pods", namespace: "payments", name: "api-7d9f" },
    {
      at: during(4),
      verb: "create",
      resource: "clusterrolebindings",
      apiGroup: "rbac.authorization.k8s.io",
      name: "me-admin",
      code: 403,
    },
    { at: afterEndAt, verb: "delete", resource: "configmaps", namespace: "payments", name: "feature-flags" },
  ]);

  // Before any summary: the holder is told when it will be read, and has no button to read it now.
  await page.reload();
  const holderActivity = page.getByTestId("activity");
  await expect(holderActivity.getByRole("heading", { name: "Activity" })).toBeVisible();
  await expect(holderActivity.getByTestId("activity-pending")).toContainText(
    "Activity will be read from the cluster's audit logs at",
  );
  await expect(page.getByRole("button", { name: "Check activity now" })).toHaveCount(0);

  // The auditor reads it now, from the request's timeline.
  const auditor = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
  await signInAs(auditor, "aud01@contoso.com");
  const audit = await auditor.newPage();
  await audit.goto(`/audit/requests/${requestId}`);
  const activity = audit.getByTestId("activity");
  await expect(activity.getByTestId("activity-pending")).toBeVisible();
  await waitForHydration(audit, "[data-testid=activity] form");
  await activity.getByRole("button", { name: "Check activity now" }).click();
  await expect(activity.getByTestId("activity-check-status")).toContainText(/^Summarised \d+ calls, 1 call after/, {
    timeout: 30_000,
  });

  // The summary: still open (tokens issued before the end work for a while yet), with its totals.
  await expect(activity.getByTestId("activity-provisional")).toContainText("this summary is provisional");
  await expect(activity.getByTestId("activity-after-end")).toHaveText("1");
  await expect(activity.getByTestId("activity-denied")).toHaveText("1");
  expect(Number(await activity.getByTestId("activity-secret-reads").textContent())).toBeGreaterThanOrEqual(1);

  // The call after the end stands out, in words as well as colour; the secret read is listed.
  const afterEnd = activity.getByTestId("activity-after-end-call");
  await expect(afterEnd).toHaveCount(1);
  await expect(afterEnd).toContainText("after access ended");
  await expect(afterEnd).toContainText("configmaps");
  await expect(afterEnd).toContainText("payments/feature-flags");
  const listed = activity.getByRole("table", { name: "Sensitive, denied and after-end calls, oldest first" });
  await expect(listed.getByRole("row").filter({ hasText: "secret-read" }).first()).toContainText(
    "payments/db-password",
  );
  await expect(listed.getByRole("row").filter({ hasText: "pods/exec" })).toContainText("exec");
  await expect(listed.getByRole("row").filter({ hasText: "clusterrolebindings" })).toContainText("denied");
  await expect(activity.getByRole("link", { name: /Open in Azure portal/ })).toHaveAttribute("rel", /noopener/);
  await expect(activity.getByTestId("activity-rows-hash")).toHaveText(/^[0-9a-f]{64}$/);
  // The summary is on the request's trail too, in words.
  await expect(audit.getByTestId("activity-event").first()).toContainText("1 call after access ended");
  await expectAccessible(audit);
  await audit.setViewportSize({ width: 390, height: 844 });
  await expect(afterEnd).toBeVisible();
  await expectAccessible(audit);

  // The holder sees the same summary on their request page, still without the button.
  await page.reload();
  await expect(holderActivity.getByTestId("activity-after-end-call")).toContainText("after access ended");
  await expect(holderActivity.getByTestId("activity-after-end")).toHaveText("1");
  await expect(page.getByRole("button", { name: "Check activity now" })).toHaveCount(0);
  await expectAccessible(page);
});
