import "server-only";
import http from "node:http";
import { log } from "@/lib/log";
import type { Readiness } from "./readiness";

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The operations port of a process (OPS_PORT): /livez and /readyz for Kubernetes, /metrics for
 * Prometheus. It is not the app's port, so no Service or Ingress exposes the metrics; the chart's
 * NetworkPolicy lets only the monitoring namespace reach it. Liveness never touches the database.
 */
export async function startOpsServer(options: {
  port: number;
  readiness: () => Promise<Readiness>;
  metrics: () => Promise<{ contentType: string; body: string }>;
}): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, "application/json", JSON.stringify(body));
    const route = `${req.method} ${new URL(req.url ?? "/", "http://ops").pathname}`;
    const answer = async () => {
      switch (route) {
        case "GET /livez":
          return json(200, { status: "ok" });
        case "GET /readyz": {
          const { isReady, checks } = await options.readiness();
          return json(isReady ? 200 : 503, { status: isReady ? "ok" : "degraded", checks });
        }
        case "GET /metrics": {
          const { contentType, body } = await options.metrics();
          return send(200, contentType, body);
        }
        default:
          return json(404, { error: { code: "NOT_FOUND", message: "GET /livez, /readyz or /metrics" } });
      }
    };
    answer().catch((error: unknown) => {
      log.error({ err: error, route }, "ops endpoint failed");
      if (!res.headersSent) json(500, { error: { code: "INTERNAL", message: "see the process log" } });
    });
  });
  // Probes and scrapes are short: do not let an idle keep-alive connection hold the drain.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  log.info({ port }, "operations port: /livez /readyz /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
