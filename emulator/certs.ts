/* The emulator's TLS: a local certificate authority and a localhost server certificate signed by it,
 * kept under .data/certs. The MSAL, Graph and ARM clients refuse plain http, so every process that
 * talks to the emulator trusts this CA through NODE_EXTRA_CA_CERTS, which Node reads only at start:
 * the files must exist before those processes are spawned. */
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import selfsigned from "selfsigned";

export interface EmulatorCertificates {
  caPath: string;
  ca: string;
  cert: string;
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function isUsable(pem: string, now: Date) {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() - now.getTime() > 30 * DAY_MS;
  } catch {
    return false;
  }
}

export async function ensureCertificates(dir: string, now = new Date()): Promise<EmulatorCertificates> {
  // Only the certificate folder is private: a recursive mkdir would give every new parent (.data
  // itself) mode 0700 too, and as root the embedded PostgreSQL (run as `postgres`) needs to pass.
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: path.join(dir, "ca.pem"),
    caKey: path.join(dir, "ca-key.pem"),
    cert: path.join(dir, "emulator.pem"),
    key: path.join(dir, "emulator-key.pem"),
  };
  const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

  let ca = read(files.caCert);
  let caKey = read(files.caKey);
  let regenerateLeaf = false;
  if (!isUsable(ca, now) || !caKey) {
    const generated = await selfsigned.generate([{ name: "commonName", value: "AKS JIT local emulator CA" }], {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now.getTime() - DAY_MS),
      notAfterDate: new Date(now.getTime() + 3 * 365 * DAY_MS),
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    ca = generated.cert;
    caKey = generated.private;
    writeFileSync(files.caCert, ca);
    writeFileSync(files.caKey, caKey, { mode: 0o600 });
    regenerateLeaf = true;
  }

  let cert = read(files.cert);
  let key = read(files.key);
  if (regenerateLeaf || !isUsable(cert, now) || !key) {
    const generated = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now.getTime() - DAY_MS),
      notAfterDate: new Date(now.getTime() + 365 * DAY_MS),
      ca: { key: caKey, cert: ca },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "localhost" },
            { type: 7, ip: "127.0.0.1" },
            { type: 7, ip: "::1" },
          ],
        },
      ],
    });
    cert = generated.cert;
    key = generated.private;
    writeFileSync(files.cert, cert);
    writeFileSync(files.key, key, { mode: 0o600 });
  }
  return { caPath: files.caCert, ca, cert, key };
}
