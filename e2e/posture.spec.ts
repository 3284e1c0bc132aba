import { Client } from "pg";
import { expect, expectAccessible, fileRequest, signInAs, test, waitForStatus } from "./support/fixtures";

/**
 * Is AKS JIT really the only way in (issue 18)? An admin reads each cluster's posture on the Posture
 * page (findings with the command that fixes each, standing access); a requester of a private
 * cluster is given `az aks command invoke`, not get-credentials, and sees the cluster's badges. The
 * check stores its result in cluster_postures; this journey stores one as it would (a private dev
 * cluster with local accounts on and a node pool open to local SSH keys), and puts back what was
 * there after, so that the other journeys see the demo clusters as they are. At 1440×900 and 390×844.
 */

const CLUSTER = "aks-dev-weu";
const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333";
const FIX = `az aks update --resource-group rg-aks-dev --name ${CLUSTER} --disable-local-accounts`;
const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

const facts = {
  resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}`,
  isManagedEntra: true,
  isAzureRbac: true,
  areLocalAccountsDisabled: false,
  isPrivate: true,
  hasPublicFqdn: false,
  fqdn: "aks-dev-weu.privatelink.westeurope.azmk8s.io",
  authorizedIpRanges: [],
  isOidcIssuer: true,
  isWorkloadIdentity: false,
  adminGroupObjectIds: [],
  nodeResourceGroup: "MC_rg-aks-dev_aks-dev-weu_westeurope",
  nodePools: [
    { name: "system", mode: "System", sshAccess: "Disabled" },
    { name: "user", mode: "User", sshAccess: "LocalUser" },
  ],
};
const findings = [
  {
    code: "local-accounts-enabled",
    severity: "high",
    title: "Local accounts are enabled",
    allows: "anyone with listClusterAdminCredential gets cluster-admin without a grant",
    fix: FIX,
  },
];
const path = (roleName: string, abilities: string[], viaGroup: { id: string; displayName: string } | null) => ({
  kind: "roleAssignment",
  roleName,
  roleDefinitionId: null,
  roleAssignmentId: null,
  scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aks-dev`,
  scopeLevel: "resourceGroup",
  viaGroup,
  abilities,
  since: "2025-03-01T08:00:00Z",
});
const standing = {
  principals: [
    {
      principalId: "7d1a0000-0000-4000-8000-000000000001",
      principalType: "User",
      displayName: "Olaf Oldowner",
      userPrincipalName: "olaf@contoso.com",
      paths: [path("Owner", ["clusterAdmin", "clusterRunCommand"], { id: "g-1", displayName: "platform-legacy" })],
    },
  ],
  appIdentity: [
    {
      principalId: "7d1a0000-0000-4000-8000-000000000002",
      principalType: "ServicePrincipal",
      displayName: "AKS JIT",
      userPrincipalName: null,
      paths: [path("User Access Administrator", [], null)],
    },
  ],
  explainedByGrants: 2,
};

async function database<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const env = JSON.parse(process.env.E2E_APP_ENV!) as Record<string, string>;
  const client = new Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

let before: Record<string, unknown> | undefined;

test.beforeAll(async () => {
  await database(async (db) => {
    before = (await db.query("SELECT * FROM cluster_postures WHERE cluster_name = $1", [CLUSTER])).rows[0];
    await db.query(
      `INSERT INTO cluster_postures (cluster_name, checked_at, facts, findings, standing, error)
       VALUES ($1, now(), $2, $3, $4, NULL)
       ON CONFLICT (cluster_name) DO UPDATE SET checked_at = now(), facts = $2, findings = $3, standing = $4, error = NULL`,
      [CLUSTER, JSON.stringify(facts), JSON.stringify(findings), JSON.stringify(standing)],
    );
  });
});

test.afterAll(async () => {
  await database(async (db) => {
    await db.query("DELETE FROM cluster_postures WHERE cluster_name = $1", [CLUSTER]);
    if (before)
      await db.query(
        "INSERT INTO cluster_postures (cluster_name, checked_at, facts, findings, standing, error) VALUES ($1, $2, $3, $4, $5, $6)",
        [CLUSTER, before.checked_at, before.facts, JSON.stringify(before.findings), before.standing, before.error],
      );
  });
});

test("[POSTURE] an admin reads each cluster's findings with the fix to copy, and who gets in without a grant", async ({
  browser,
}) => {
  const admin = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: SIZES[0],
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await signInAs(admin, "adm01@contoso.com");
  const page = await admin.newPage();
  await page.goto("/admin");
  await page.getByRole("link", { name: "Posture", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Posture" })).toBeVisible();

  for (const size of SIZES) {
    await page.setViewportSize(size);
    const dev = page.getByRole("region", { name: /aks-dev-weu/ }).first();
    await expect(dev).toContainText("Checked");
    await expect(dev).toContainText("private");
    const finding = dev.locator('[data-finding="local-accounts-enabled"]');
    await expect(finding).toContainText("high");
    await expect(finding).toContainText("Allows: anyone with listClusterAdminCredential");
    await expect(finding.locator("code")).toHaveText(FIX);
    await finding.getByRole("button", { name: "Copy" }).click();
    await expect(finding.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(FIX);

    // Standing access: who, through which role at which scope and group, since when; the app apart.
    await expect(dev).toContainText("Explained by JIT grants: 2");
    const standingTable = dev.getByRole("region", { name: "Standing access to aks-dev-weu" });
    await expect(standingTable).toContainText("Olaf Oldowner");
    await expect(standingTable).toContainText("Owner at the resource group, via group platform-legacy");
    await expect(standingTable.locator("time")).toHaveAttribute("datetime", "2025-03-01T08:00:00.000Z");
    await expect(dev.getByRole("region", { name: /AKS JIT's own identity on aks-dev-weu/ })).toContainText(
      "User Access Administrator",
    );
    await expect(dev.getByRole("link", { name: "1 standing admin" })).toHaveAttribute(
      "href",
      "/posture-terms#standing-admins",
    );
    await expectAccessible(page);
  }

  // Check now answers in words: what it checked, or why it could not.
  await page.getByRole("button", { name: "Check now" }).click();
  const outcome = page
    .getByRole("status")
    .filter({ hasText: /Checked \d+ cluster/ })
    .or(page.getByRole("alert").filter({ hasText: /check/i }));
  await expect(outcome).toBeVisible({ timeout: 30_000 });
  await admin.close();
});

test("[POSTURE] a requester of a private cluster gets az aks command invoke, not get-credentials, and cannot open the Posture page", async ({
  browser,
}) => {
  const requester = await browser.newContext({ ignoreHTTPSErrors: true, viewport: SIZES[0] });
  await signInAs(requester, "n01@contoso.com");
  const page = await requester.newPage();

  const refused = await page.goto("/admin/posture");
  expect(refused?.status()).toBe(403);

  // My access: the cluster's badges, each linking to what it means.
  await page.goto("/access");
  const card = page.getByRole("list", { name: `Ways into ${CLUSTER} without AKS JIT` });
  await expect(card.getByRole("link")).toHaveText(["1 standing admin", "local accounts on", "SSH with local keys"]);
  await expect(page.getByText("olaf@contoso.com")).toHaveCount(0);
  // The request form says it too, under the cluster it has chosen.
  await page.goto(`/access?cluster=${CLUSTER}&role=node-access#new-request`);
  await expect(page.getByLabel("Cluster", { exact: true })).toHaveAccessibleDescription(
    "Ways in without AKS JIT: 1 standing admin, local accounts on, SSH with local keys.",
  );

  await fileRequest(page, { cluster: CLUSTER, role: "node-access", justification: `Private node ${Date.now()}` });
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await waitForStatus(page, "active");
  const usage = page.getByRole("region", { name: "Use your access" });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await expect(usage.locator("code").first()).toHaveText(
      new RegExp(`^az aks command invoke .*--name ${CLUSTER} --command "kubectl get pods -A"$`),
    );
    await expect(usage).toContainText("jump host, Azure Bastion or a VPN");
    await expect(usage).not.toContainText("get-credentials --subscription");
    // Node pools: the local-key pool is named a bypass; the way in is kubectl debug, never a key.
    await expect(usage).toContainText("user accepts SSH with local keys");
    await expect(usage.locator("code", { hasText: "kubectl debug node/<node>" })).toHaveCount(1);
    await expect(usage).toContainText("kubelogin remove-tokens");
    await expectAccessible(page);
  }
  await page.getByRole("button", { name: "End access now" }).click();
  await page.getByRole("button", { name: "Yes, end it now" }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
  await requester.close();
});

test("[POSTURE] an auditor reads the Posture page from Audit but may not run the check", async ({ browser }) => {
  const auditor = await browser.newContext({ ignoreHTTPSErrors: true, viewport: SIZES[1] });
  await signInAs(auditor, "aud01@contoso.com");
  const page = await auditor.newPage();
  await page.goto("/audit");
  await page.getByRole("link", { name: "posture", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Posture" })).toBeVisible();
  await expect(page.locator('[data-finding="local-accounts-enabled"] code')).toHaveText(FIX);
  await expect(page.getByRole("button", { name: "Check now" })).toHaveCount(0);
  await expectAccessible(page);
  await auditor.close();
});
