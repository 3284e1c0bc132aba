import type { ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { start, stop, waitForUrl } from "../../scripts/lib/processes";
import { ROOT } from "../../scripts/lib/paths";
import { freePort } from "../../test/support/stack";

/** The cookie that pins a browser context to one of the two web servers (as a sticky load balancer would). */
export const BACKEND_COOKIE = "e2e-backend";

export interface TwoWebServers {
  /** The one URL both are served at (APP_URL of both). */
  url: string;
  /** Requests each server answered, by name ("a", "b"), event streams included. */
  served: Record<"a" | "b", number>;
  stop(): Promise<void>;
}

/**
 * Two more web servers of the same build on the suite's database and emulator, behind one URL, as
 * replicas behind a load balancer: a context with the cookie `e2e-backend=a` (or `b`) is pinned to
 * one, others alternate. They run no jobs: the suite's own server is the worker, a third process.
 */
export async function startTwoWebServers(): Promise<TwoWebServers> {
  const proxy = http.createServer();
  await new Promise<void>((resolve) => proxy.listen(0, "localhost", resolve));
  const url = `http://localhost:${(proxy.address() as AddressInfo).port}`;
  const servers: Array<{ name: "a" | "b"; port: number; child: ChildProcess }> = [];
  const served = { a: 0, b: 0 };
  const stopAll = async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await Promise.all(servers.map((server) => stop(server.child)));
  };
  try {
    for (const name of ["a", "b"] as const) {
      const port = await freePort();
      const child = start(process.execPath, [path.join(ROOT, ".next", "standalone", "server.js")], {
        cwd: ROOT,
        env: {
          ...process.env,
          ...(JSON.parse(process.env.E2E_APP_ENV!) as Record<string, string>),
          APP_URL: url,
          NODE_ENV: "production",
          PORT: String(port),
          HOSTNAME: "localhost",
          JOBS_IN_WEB: "false",
          OPS_PORT: "0",
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      servers.push({ name, port, child });
    }
    await Promise.all(
      servers.map((server) =>
        waitForUrl(`http://localhost:${server.port}/api/health/live`, 60_000, () => server.child.exitCode === null),
      ),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  let turn = 0;
  proxy.on("request", (incoming, outgoing) => {
    const pinned = new RegExp(`(?:^|;\\s*)${BACKEND_COOKIE}=([ab])`).exec(incoming.headers.cookie ?? "")?.[1];
    const server = servers.find((s) => s.name === pinned) ?? servers[turn++ % servers.length]!;
    served[server.name] += 1;
    const forward = http.request(
      { host: "localhost", port: server.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", () => outgoing.destroy());
    outgoing.on("close", () => forward.destroy());
    incoming.pipe(forward);
  });
  return { url, served, stop: stopAll };
}
