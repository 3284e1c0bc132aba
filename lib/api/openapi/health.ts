/** The probes: no credentials, for Kubernetes, load balancers and the launchers. */
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { ZLiveness, ZReadiness } from "@/lib/schemas/health";

const READINESS = {
  operationId: "getReadiness",
  summary: "Ready to take traffic",
  description:
    "200 when the database answers and this build's migrations are applied; 503 while it does not, before the migration step has run, and once the process is shutting down.",
  tags: ["health"],
  security: [],
  responses: {
    "200": { description: "Ready.", content: { "application/json": { schema: ZReadiness } } },
    "503": {
      description: "Not ready: the failing checks say why.",
      content: { "application/json": { schema: ZReadiness } },
    },
  },
};

export const healthPaths: ZodOpenApiPathsObject = {
  "/api/health/live": {
    get: {
      operationId: "getLiveness",
      summary: "The process answers",
      description:
        "Kubernetes liveness: never touches the database, so an outage of PostgreSQL makes pods unready rather than restarting them.",
      tags: ["health"],
      security: [],
      responses: { "200": { description: "Alive.", content: { "application/json": { schema: ZLiveness } } } },
    },
  },
  "/api/health/ready": { get: READINESS },
  "/api/health": { get: { ...READINESS, operationId: "getHealth", summary: "The same as /api/health/ready" } },
};
