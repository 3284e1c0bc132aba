/** What the health probes answer: Kubernetes reads the status code, people and dashboards the body. */
import { z } from "zod";

export const ZLiveness = z.strictObject({
  status: z.literal("ok").meta({ description: "The process answers; the database is not consulted." }),
});

export const ZHealthCheck = z.strictObject({
  status: z.enum(["ok", "down"]),
  latencyMs: z.int().nonnegative().optional().meta({ description: "How long the check took." }),
  error: z.string().optional().meta({ description: "Why the check failed, when it did." }),
});

export const ZReadiness = z.strictObject({
  status: z.enum(["ok", "degraded"]).meta({ description: "`ok` with 200, `degraded` with 503." }),
  checks: z.record(z.string(), ZHealthCheck).meta({
    description: "Each check by name: `database`, `migrations`, and `process` while shutting down.",
  }),
});

export type HealthCheck = z.output<typeof ZHealthCheck>;
