/**
 * The acceptance run: sign-in, request, approval, activation and removal with Entra Workload
 * ID and no client secret anywhere in the environment. The production build's web and worker
 * processes (.next/standalone) start with only what AKS's workload identity webhook gives a pod
 * (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST) and no
 * ENTRA_CLIENT_SECRET; people sign in through the web's MSAL flow in the emulator's account picker,
 * and the worker applies and removes the grants in the emulator's Entra ID and ARM. Guards against a
 * secretless deployment that cannot sign in, or whose worker cannot reach Graph or ARM.
 * Run `npm run build` first.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCertificates } from "../../emulator/certs";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE, demoAppEnv } from "../../scripts/lib/demo-env";
import { CERT_DIR, DATA_DIR } from "../../scripts/lib/paths";
import { runQuietly } from "../../scripts/lib/processes";
import { assertBuilt, logTail, STANDALONE } from "./app-processes";
import { Emulator } from "./clients";
import { startDatabase, type Database } from "./database";
import { startReplicaSet, type ReplicaSet } from "./replica-set";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The public address the app is configured with; each process listens on its own port behind it. */
const APP_URL = "http://localhost:3000";

let runDir: string;
let database: Database | undefined;
let running: RunningEmulator | undefined;
let replicas: ReplicaSet | undefined;
let env: Record<string, string>;
let clientSecret: string;

beforeAll(async () => {
  assertBuilt();
  runDir = path.join(DATA_DIR, "test", `wi-${process.pid}-${randomBytes(3).toString("hex")}`);
  mkdirSync(runDir, { recursive: true });
  const tls = await ensureCertificates(CERT_DIR);
  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  clientSecret = tenant.applications[0]!.clientSecret!;
  database = await startDatabase(runDir);
  running = await startEmulator({ tenant, tls, port: 0 });
  // The removal right after activation is what this run checks, not PIM's 5-minute minimum.
  running.context.settings.minimumActiveDurationSeconds = 0;

  // kubelet's part: the projected service account token, in the file the webhook points to.
  const minted = await fetch(`${running.url}/_emulator/k8s/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub: "system:serviceaccount:aks-jit:aks-jit" }),
  });
  const tokenFile = path.join(runDir, "azure-identity-token");
  writeFileSync(tokenFile, ((await minted.json()) as { token: string }).token);

  const { ENTRA_CLIENT_SECRET: _removed, ...withoutSecret } = demoAppEnv({
    appUrl: APP_URL,
    emulatorUrl: running.url,
    databaseUrl: database.url,
    sessionSecret: randomBytes(48).toString("base64url"),
    caPath: tls.caPath,
    tenant,
  });
  env = {
    ...withoutSecret,
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    AZURE_CLIENT_ID: withoutSecret.ENTRA_CLIENT_ID!,
    AZURE_TENANT_ID: withoutSecret.ENTRA_TENANT_ID!,
    AZURE_AUTHORITY_HOST: running.url,
    LOG_LEVEL: "info",
  };
  await runQuietly(process.execPath, ["migrate.mjs"], {
    cwd: STANDALONE,
    env: { PATH: process.env.PATH ?? "", ...env, NODE_ENV: "production" },
  });
  replicas = await startReplicaSet(env, runDir, { label: "workload-id", webs: 1, workers: 1 });
});

afterAll(async () => {
  await replicas?.stop();
  await running?.close();
  await database?.stop();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

/** A browser of one person: its cookies, the web process it talks to, our own Origin on changes. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly web: string) {}

  private remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The web's own pages, as the browser reaches them through APP_URL. */
  async get(pathAndQuery: string) {
    const response = await fetch(`${this.web}${pathAndQuery}`, {
      headers: { cookie: this.cookieHeader() },
      redirect: "manual",
    });
    this.remember(response);
    return response;
  }

  /** Sign-in through the web's MSAL flow and the emulator's account picker. */
  async signIn(userId: string) {
    const started = await this.get("/auth/sign-in?returnTo=/");
    expect(started.status).toBe(302);
    const authorizeUrl = new URL(started.headers.get("location")!);
    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set("user_id", userId);
    const picked = await fetch(`${authorizeUrl.origin}${authorizeUrl.pathname}`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const callback = new URL(picked.headers.get("location") ?? "about:blank");
    expect(callback.origin + callback.pathname).toBe(`${APP_URL}/auth/callback`);
    expect(callback.searchParams.get("code")).toBeTruthy();
    const completed = await this.get(`${callback.pathname}${callback.search}`);
    // Back to the app, not to its sign-in error page: the code was redeemed with the federated token.
    expect(completed.headers.get("location")).toBe(`${APP_URL}/`);
  }

  async api(method: "GET" | "POST", apiPath: string, body?: unknown) {
    const response = await fetch(`${this.web}/api/v1${apiPath}`, {
      method,
      headers: { cookie: this.cookieHeader(), origin: APP_URL, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

async function until<T>(what: string, read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDone(value)) {
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not after ${timeoutMs / 1000} s, last ${JSON.stringify(value)}\n${replicas!.all.map((app) => logTail(app)).join("\n")}`,
      );
    }
    await sleep(500);
    value = await read();
  }
  return value;
}

describe("[REPLICAS] Entra Workload ID, no client secret anywhere", () => {
  it("signs in, files, approves, activates and removes access with the federated token alone", async () => {
    // No secret in what the processes got: neither the variable nor its value under another name.
    expect(Object.keys(env)).not.toContain("ENTRA_CLIENT_SECRET");
    expect(Object.values(env)).not.toContain(clientSecret);
    for (const app of replicas!.all) {
      expect(app.child.spawnargs.join(" ")).not.toContain(clientSecret);
    }

    const web = replicas!.webs[0]!.url!;
    const tenant = running!.context.tenant;
    const requester = tenant.user("n01@contoso.com")!;
    const approver = tenant.user("p01@contoso.com")!;
    const nadia = new Browser(web);
    const priya = new Browser(web);
    await nadia.signIn(requester.id);
    await priya.signIn(approver.id);

    const filed = await nadia.api("POST", "/requests", {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT1H",
      justification: "Workload ID acceptance run",
      ticket: "INC40013",
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id = filed.body.id as string;
    const approved = await priya.api("POST", `/requests/${id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const emulator = new Emulator(running!.url);
    const statusOf = async () => (await nadia.api("GET", `/requests/${id}`)).body?.status as string | undefined;
    await until("the request active", statusOf, (status) => status === "active" || status === "failed");
    expect(await statusOf()).toBe("active");
    const active = await emulator.state();
    expect(active.pimGroupAssignments.filter((a) => a.principalId === requester.id)).toHaveLength(1);
    expect(active.roleAssignments.filter((a) => a.principalId === requester.id)).toHaveLength(1);

    const ended = await nadia.api("POST", `/requests/${id}/deactivate`, {});
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    await until(
      "the grants removed",
      () => emulator.state(),
      (state) =>
        state.pimGroupAssignments.every((a) => a.principalId !== requester.id) &&
        state.roleAssignments.every((a) => a.principalId !== requester.id),
    );
    expect(await statusOf()).toBe("deactivated");
  });
});
