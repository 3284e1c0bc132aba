/* `npm run emulator`: runs the emulator on its own (the demo launcher starts it for you). */
import { ensureCertificates } from "./certs";
import { readEmulatorConfig } from "./config";
import { startEmulator } from "./server";
import { Tenant } from "./tenant";

const config = readEmulatorConfig();
const tls = await ensureCertificates(config.EMULATOR_CERT_DIR);
const emulator = await startEmulator({
  tenant: Tenant.fromFile(config.EMULATOR_TENANT_FILE),
  tls,
  port: config.EMULATOR_PORT,
  host: config.EMULATOR_HOST,
  groupsOverageLimit: config.EMULATOR_GROUPS_OVERAGE_LIMIT,
  scaleClusters: config.EMULATOR_SCALE_CLUSTERS,
  isThrottling: config.EMULATOR_THROTTLING === "azure",
  seeds: config.EMULATOR_SEEDS,
  demoActivity: config.EMULATOR_ACTIVITY === "on",
});
console.log(`Entra ID emulator listening on ${emulator.url} (CA: ${tls.caPath})`);

const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
