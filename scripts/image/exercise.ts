/* The image test's runs: every command the chart starts from the image, against the test stack, each
 * as a process of the image (see container.ts), with assertions on exit codes, health and timings. */
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { ROOT } from "../lib/paths";
import { freePort, type TestStack } from "../../test/support/stack";
import {
  credentialsOf,
  exitWithin,
  processTree,
  startInImage,
  type ContainerProcess,
  type ImageRootfs,
} from "./container";
import { expect, note, seconds, step, waitForStatus } from "./steps";

const execFileAsync = promisify(execFile);
const SHUTDOWN_TIMEOUT_SECONDS = 10;

interface Context {
  rootfs: ImageRootfs;
  stack: TestStack;
  processes: ContainerProcess[];
  runDir: string;
}

export async function exercise({ rootfs, stack, processes, runDir }: Context) {
  const configDir = mountedConfig(stack, runDir);
  const databaseUrl = await step("database for the image (CREATE DATABASE)", () => freshDatabase(stack.databaseUrl));
  const env: Record<string, string> = {
    ...stack.env,
    DATABASE_URL: databaseUrl,
    CATALOG_PATH: "/etc/aks-jit/catalog.yaml",
    AUDIT_VERIFY_KEY_FILE: "/etc/aks-jit/audit-verify-key.pem",
    NODE_EXTRA_CA_CERTS: "/etc/aks-jit/ca.pem",
    // Only this machine: the image's 0.0.0.0 would listen on every interface of the CI host.
    HOSTNAME: "127.0.0.1",
    SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
  };
  const start = (name: string, command: string[], extra: Record<string, string> = {}, user?: string) => {
    const child = startInImage(rootfs, { name, command, env: { ...env, ...extra }, configDir, user });
    processes.push(child);
    return child;
  };
  const runToEnd = async (name: string, command: string[], extra: Record<string, string> = {}, user?: string) => {
    const child = start(name, command, extra, user);
    return { ...(await exitWithin(child, 60_000)), output: child.output() };
  };

  await step("node --version", async () => {
    const result = await runToEnd("node --version", ["node", "--version"]);
    expect(result.code === 0 && /^v22\./.test(result.output), `node --version printed ${result.output}`);
    note(result.output.trim());
  });

  await step("read-only root filesystem", async () => {
    const expected = {
      "/probe": "EROFS",
      "/etc/probe": "EROFS",
      "/app/probe": "EROFS",
      "/tmp/probe": "written",
      "/app/.next/cache/probe": "written",
    };
    const probe = `const fs = require("fs"); const writes = {};
      for (const file of process.argv.slice(1)) { try { fs.writeFileSync(file, "x"); writes[file] = "written"; } catch (e) { writes[file] = e.code; } }
      console.log(JSON.stringify({ writes, uid: process.getuid(), gid: process.getgid(), groups: process.getgroups() }));`;
    const asApp = JSON.parse((await runToEnd("write probe", ["node", "-e", probe, ...Object.keys(expected)])).output);
    expect(
      JSON.stringify(asApp.writes) === JSON.stringify(expected),
      `writes as the image user: ${JSON.stringify(asApp)}`,
    );
    expect(asApp.uid === 10001 && asApp.gid === 10001 && asApp.groups.join() === "10001", JSON.stringify(asApp));
    // Root cannot write there either: the root filesystem is mounted read-only, not merely closed to 10001.
    const asRoot = await runToEnd("write probe as root", ["/bin/sh", "-c", "touch /app/probe"], {}, "0:0");
    expect(asRoot.code !== 0 && /Read-only file system/.test(asRoot.output), `root's write: ${asRoot.output}`);
    note("as 10001: /, /etc, /app → EROFS; /tmp, /app/.next/cache writable; as root: /app → EROFS");
  });

  await step("migrate.mjs, twice", async () => {
    const first = await runToEnd("migrate", ["node", "migrate.mjs"]);
    expect(first.code === 0 && /Applied \d+ migrations/.test(first.output), `first migrate.mjs:\n${first.output}`);
    const second = await runToEnd("migrate again", ["node", "migrate.mjs"]);
    expect(second.code === 0 && /up to date/.test(second.output), `second migrate.mjs:\n${second.output}`);
    note(
      `${first.output.match(/Applied \d+ migrations/)![0]} in ${seconds(first.afterMs)}; again: up to date in ${seconds(second.afterMs)}`,
    );
  });

  await step("config-check.mjs", async () => {
    const result = await runToEnd("config-check", ["node", "config-check.mjs"]);
    expect(result.code === 0 && /configuration is valid/.test(result.output), `config-check.mjs:\n${result.output}`);
    note(result.output.trim());
  });

  const [webPort, webOpsPort, workerOpsPort] = [await freePort(), await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const web = await step("web: live, ready, metrics", async () => {
    const web = start("web", rootfs.config.Cmd ?? [], {
      PORT: String(webPort),
      OPS_PORT: String(webOpsPort),
      APP_URL: `http://localhost:${webPort}`,
      JOBS_IN_WEB: "false",
    });
    await waitForStatus(`${webUrl}/api/health/live`, web);
    await waitForStatus(`${webUrl}/api/health/ready`, web);
    const metrics = await waitForStatus(`http://127.0.0.1:${webOpsPort}/metrics`, web);
    expect(/^# (HELP|TYPE) /m.test(metrics), `/metrics on ${webOpsPort} is not Prometheus text`);
    return web;
  });

  const worker = await step("worker: ready on its operations port", async () => {
    const worker = start("worker", ["node", "worker.mjs"], { OPS_PORT: String(workerOpsPort) });
    await waitForStatus(`http://127.0.0.1:${workerOpsPort}/readyz`, worker);
    await waitForStatus(`http://127.0.0.1:${workerOpsPort}/metrics`, worker);
    return worker;
  });

  await step("no process runs as root", async () => {
    for (const pid of [...processTree(web.pid), ...processTree(worker.pid)]) {
      const { name, uids, gids, groups } = credentialsOf(pid);
      const all = [...uids, ...gids, ...groups];
      expect(
        all.length > 0 && all.every((id) => id === 10001),
        `PID ${pid} (${name}): uid ${uids} gid ${gids} groups ${groups}`,
      );
    }
    note(`web PID ${web.pid} and worker PID ${worker.pid}: uid/gid 10001 (real, effective, saved, fs), groups 10001`);
  });

  await step("request activated by the container's worker", async () => {
    const { stdout: token } = await execFileAsync(
      process.execPath,
      [
        "--conditions=react-server",
        "--import",
        "tsx",
        path.join("scripts", "image", "user-token.ts"),
        "n01@contoso.com",
      ],
      { cwd: ROOT, env: { ...process.env, ...stack.env, NODE_EXTRA_CA_CERTS: stack.caPath } },
    );
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const body = { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Image test" };
    const filed = await fetch(`${webUrl}/api/v1/requests`, { method: "POST", headers, body: JSON.stringify(body) });
    const request = (await filed.json()) as { id: string; status: string };
    expect(filed.status === 201, `POST /api/v1/requests answered ${filed.status}: ${JSON.stringify(request)}`);
    const filedAt = Date.now();
    let status = request.status;
    while (status !== "active" && status !== "failed" && Date.now() - filedAt < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (
        (await (await fetch(`${webUrl}/api/v1/requests/${request.id}`, { headers })).json()) as { status: string }
      ).status;
    }
    expect(status === "active", `request ${request.id} is ${status}, not active. Worker output:\n${worker.output()}`);
    note(`filed as n01 (201), active ${seconds(Date.now() - filedAt)} later`);
  });

  await step("SIGTERM: web exits 0 within 30 s", async () => {
    const sent = Date.now();
    process.kill(web.pid, "SIGTERM");
    const { code, signal } = await exitWithin(web, 30_000);
    expect(code === 0, `web exited with ${code ?? signal} after SIGTERM:\n${web.output()}`);
    note(`exit 0 after ${seconds(Date.now() - sent)}`);
  });

  await step(`SIGTERM: worker exits 0 within ${SHUTDOWN_TIMEOUT_SECONDS + 15} s`, async () => {
    const sent = Date.now();
    process.kill(worker.pid, "SIGTERM");
    const { code, signal } = await exitWithin(worker, (SHUTDOWN_TIMEOUT_SECONDS + 15) * 1000);
    expect(code === 0, `worker exited with ${code ?? signal} after SIGTERM:\n${worker.output()}`);
    note(`exit 0 after ${seconds(Date.now() - sent)}`);
  });

  await step("ENTRA_TENANT_ID=not-a-guid: web, worker and config-check refuse to start", async () => {
    const bad = { ENTRA_TENANT_ID: "not-a-guid", PORT: String(await freePort()), OPS_PORT: String(await freePort()) };
    const commands = [rootfs.config.Cmd ?? [], ["node", "worker.mjs"], ["node", "config-check.mjs"]];
    const children = commands.map((command) => start(`${command.join(" ")} (bad config)`, command, bad));
    const results = await Promise.all(children.map((child) => exitWithin(child, 20_000)));
    children.forEach((child, i) => {
      expect(results[i]!.code !== 0, `${child.name} exited ${results[i]!.code}:\n${child.output()}`);
      expect(/ENTRA_TENANT_ID/.test(child.output()), `${child.name} did not name ENTRA_TENANT_ID:\n${child.output()}`);
    });
    note(
      children
        .map((child, i) => `${child.name}: exit ${results[i]!.code} in ${seconds(results[i]!.afterMs)}`)
        .join("; "),
    );
  });
}

/** The files the pods get from a ConfigMap and Secrets, bound read-only at /etc/aks-jit. */
function mountedConfig(stack: TestStack, runDir: string) {
  const dir = path.join(runDir, "etc");
  mkdirSync(dir, { recursive: true });
  const files = {
    "catalog.yaml": stack.env.CATALOG_PATH!,
    "ca.pem": stack.caPath,
    "audit-verify-key.pem": stack.env.AUDIT_VERIFY_KEY_FILE!,
  };
  for (const [name, source] of Object.entries(files)) {
    copyFileSync(source, path.join(dir, name));
    chmodSync(path.join(dir, name), 0o644);
  }
  chmodSync(dir, 0o755);
  return dir;
}

/** An empty database beside the stack's (which the stack has migrated already), for migrate.mjs to fill. */
async function freshDatabase(stackUrl: string) {
  const client = new pg.Client({ connectionString: stackUrl });
  await client.connect();
  try {
    await client.query("CREATE DATABASE aks_jit_image");
  } finally {
    await client.end();
  }
  const url = new URL(stackUrl);
  url.pathname = "/aks_jit_image";
  return url.toString();
}
