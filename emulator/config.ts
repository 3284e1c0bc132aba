/* The emulator's own settings, from its environment (it is a separate program from the app). */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const here = path.dirname(fileURLToPath(import.meta.url));

export const ZEmulatorConfig = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  EMULATOR_HOST: z.string().default("localhost"),
  EMULATOR_CERT_DIR: z.string().default(path.resolve(here, "..", ".data", "certs")),
  EMULATOR_TENANT_FILE: z.string().default(path.join(here, "tenant.json")),
  EMULATOR_GROUPS_OVERAGE_LIMIT: z.coerce.number().int().min(0).default(200),
  /** this many more AKS clusters beside the demo's, for benchmarks (emulator/scale-seed.ts) */
  EMULATOR_SCALE_CLUSTERS: z.coerce.number().int().min(0).max(5000).default(0),
  /** `azure`: Azure's throttling budgets on from the start (throttling.ts); `off` by default, for fast tests */
  EMULATOR_THROTTLING: z.enum(["off", "azure"]).default("off"),
  /** `on`: each role given on a demo cluster plays a short kubectl session into the audit logs (log-analytics/demo-activity.ts) */
  EMULATOR_ACTIVITY: z.enum(["on", "off"]).default("on"),
  /** seed overlays laid over the tenant (emulator/seeds/{name}.json), comma-separated; "" for none */
  EMULATOR_SEEDS: z
    .string()
    .default("standing-access")
    .transform((text) =>
      text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
});

export type EmulatorConfig = z.infer<typeof ZEmulatorConfig>;

export function readEmulatorConfig(source: Record<string, string | undefined> = process.env): EmulatorConfig {
  const parsed = ZEmulatorConfig.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid emulator settings:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
