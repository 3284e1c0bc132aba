import { APP_URL, expect, expectAccessible, signInAs, test } from "./support/fixtures";

const SECTIONS = { "My access": "/access", Approvals: "/approvals", Audit: "/audit", Admin: "/admin" } as const;
type Section = keyof typeof SECTIONS;

const ROLES: Array<{ upn: string; role: string; allowed: Section[] }> = [
  { upn: "n01@contoso.com", role: "a requester", allowed: ["My access"] },
  { upn: "p01@contoso.com", role: "an approver", allowed: ["My access", "Approvals"] },
  { upn: "aud01@contoso.com", role: "an auditor", allowed: ["My access", "Audit"] },
  { upn: "adm01@contoso.com", role: "a platform admin", allowed: ["My access", "Audit", "Admin"] },
];

for (const { upn, role, allowed } of ROLES) {
  const forbidden = (Object.keys(SECTIONS) as Section[]).filter((s) => !allowed.includes(s));

  test(`[ROLES] ${role} (${upn}) sees ${allowed.join(", ")} and gets 403 on ${forbidden.join(", ")}`, async ({
    page,
    context,
  }) => {
    await signInAs(context, upn);
    await page.goto("/access");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText(allowed);

    for (const section of allowed) {
      const response = await page.goto(SECTIONS[section]);
      expect(response?.status(), `${section} should open`).toBe(200);
      await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    }
    for (const section of forbidden) {
      const response = await page.goto(SECTIONS[section]);
      expect(response?.status(), `${section} should be refused`).toBe(403);
      await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
    }
  });
}

test("[ROLES] the 403 page says which group grants what, and passes axe", async ({ page, context }) => {
  await signInAs(context, "n01@contoso.com");
  await page.goto("/admin");
  await expect(page.getByText("Admin is for platform admins (the jit-admins group).")).toBeVisible();
  await expect(page.getByText("with the role requester")).toBeVisible();
  await expectAccessible(page);
});

test("[AUDIT] an auditor sees sign-ins in the latest audit events and verifies the chain", async ({
  page,
  context,
}) => {
  await signInAs(context, "aud01@contoso.com");
  await page.goto(`${APP_URL}/audit`);
  const table = page.getByRole("table");
  await expect(
    table.getByRole("row").filter({ hasText: "aud01@contoso.com" }).filter({ hasText: "session.signed_in" }).first(),
  ).toBeVisible();
  await page.getByRole("button", { name: "Verify the chain now" }).click();
  await expect(page.getByText(/Intact\. All [\d,]+ chained events link to the one before/)).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: "audit.verified" }).first()).toBeVisible();
  await expectAccessible(page);
});

test("[ADMIN] a platform admin sees the sign-in configuration, without the client secret", async ({
  page,
  context,
}) => {
  await signInAs(context, "adm01@contoso.com");
  await page.goto("/admin");
  await expect(page.getByText("Redirect URI")).toBeVisible();
  await expect(page.getByText(`${APP_URL}/auth/callback`)).toBeVisible();
  await expect(page.locator("body")).not.toContainText("demo-client-secret");
  await expectAccessible(page);
});
