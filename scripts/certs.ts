/* `npm run certs`: creates the emulator's local CA and server certificate under .data/certs if
 * missing, and the demo's audit checkpoint key pair (for `npm run audit:retain` against the embedded
 * database). Test scripts run it first because NODE_EXTRA_CA_CERTS is read only when Node starts. */
import path from "node:path";
import { ensureCertificates } from "../emulator/certs";
import { loadVerifyKey } from "../lib/audit/checkpoint-keys";
import { keyIdOf } from "../lib/audit/checkpoint";
import { DEMO_SIGNING_KEY_FILE, DEMO_VERIFY_KEY_FILE, ensureDemoAuditKey } from "./lib/audit-keys";
import { CERT_DIR, ROOT } from "./lib/paths";

const { caPath } = await ensureCertificates(CERT_DIR);
console.log(`emulator CA: ${path.relative(ROOT, caPath)}`);
ensureDemoAuditKey();
const auditKeyId = keyIdOf(loadVerifyKey({ verifyKeyFile: DEMO_VERIFY_KEY_FILE })!);
console.log(`demo audit signing key: ${path.relative(ROOT, DEMO_SIGNING_KEY_FILE)} (key id ${auditKeyId})`);
