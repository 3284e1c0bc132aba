/* `npm run certs`: creates the emulator's local CA and server certificate under .data/certs if
 * missing. Test scripts run it first because NODE_EXTRA_CA_CERTS is read only when Node starts. */
import path from "node:path";
import { ensureCertificates } from "../emulator/certs";
import { CERT_DIR, ROOT } from "./lib/paths";

const { caPath } = await ensureCertificates(CERT_DIR);
console.log(`emulator CA: ${path.relative(ROOT, caPath)}`);
