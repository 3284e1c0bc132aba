import { Client } from "pg";
import { EMULATOR_URL, expect, expectAccessible, fileRequest, signInAs, test, waitForStatus } from "./support/fixtures";

/**
 * Is AKS JIT really the only way in (issue 18)? The emulator's development cluster is made private
 * with local accounts on (its user pool already takes local SSH keys), and an admin runs the real
 * check ("Check now": ARM read through the app's identity, findings, standing access). Then the admin
 * reads the Posture page (findings with the command that fixes each, standing access); a requester of
 * the now private cluster is given `az aks command invoke`, not get-credentials, and sees the
 * cluster's badges; an auditor reads the page but may not run the check. Afterwards the cluster is put
 * back as the seed has it, and its stored posture as it was, so that the other journeys see the demo
 * clusters as they are (one worker: nothing runs beside this file). At 1440×900 and 390×844.
 */

const CLUSTER = "aks-dev-weu";
const FIX = `az aks update -g rg-aks-dev -n ${CLUSTER} --disable-local-accounts`;
const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

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

test.beforeAll(async ({ browser }) => {
  before = await database(
    async (db) => (await db.query("SELECT * FROM cluster_postures WHERE cluster_name = $1", [CLUSTER])).rows[0],
  );
  const admin = await browser.newContext({ ignoreHTTPSErrors: true, viewport: SIZES[0] });
  const changed = await admin.request.put(`${EMULATOR_URL}/_emulator/clusters/${CLUSTER}`, {
    data: { enablePrivateCluster: true, disableLocalAccounts: false },
  });
  expect(changed.ok()).toBe(true);
  // The real check, as an admin runs it: it answers in words what it checked.
  await signInAs(admin, "adm01@contoso.com");
  const page = await admin.newPage();
  await page.goto("/admin/posture");
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: /^Checked \d+ clusters?, \d+ changed since the last check\.$/ }),
  ).toBeVisible({
    timeout: 60_000,
  });
  await admin.close();
});

test.afterAll(async ({ request }) => {
  await request.delete(`${EMULATOR_URL}/_emulator/clusters/${CLUSTER}`);
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
    await expect(finding).toContainText("Allows: Anyone with listClusterAdminCredential");
    await expect(finding.locator("code")).toHaveText(FIX);
    await finding.getByRole("button", { name: "Copy" }).click();
    await expect(finding.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(FIX);
    // The user pool takes local SSH keys (the seed's): a finding with its own fix.
    await expect(dev.locator('[data-finding="node-pool-ssh-local-user:user"] code')).toHaveText(
      `az aks nodepool update -g rg-aks-dev --cluster-name ${CLUSTER} -n user --ssh-access disabled`,
    );

    // Standing access as the check read it: nobody in the demo tenant but the app, shown apart.
    await expect(dev).toContainText(/Explained by JIT grants: \d+/);
    await expect(dev).toContainText("Nobody: every way in goes through AKS JIT.");
    await expect(dev.getByRole("region", { name: /AKS JIT's own identity on aks-dev-weu/ })).toContainText(
      "AKS JIT Access Provisioner",
    );
    await expect(dev.getByRole("link", { name: "local accounts on" })).toHaveAttribute(
      "href",
      "/posture-terms#local-accounts",
    );
    await expectAccessible(page);
  }
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
  await expect(card.getByRole("link")).toHaveText(["local accounts on", "SSH with local keys"]);
  // The request form says it too, under the cluster it has chosen.
  await page.goto(`/access?cluster=${CLUSTER}&role=node-access#new-request`);
  await expect(page.getByLabel("Cluster", { exact: true })).toHaveAccessibleDescription(
    "Ways in without AKS JIT: local accounts on, SSH with local keys.",
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
