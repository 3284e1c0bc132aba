/* The audit checkpoint keys of the operator commands: the files AUDIT_SIGNING_KEY_FILE and
 * AUDIT_VERIFY_KEY_FILE name, or, against the embedded demo database, a demo key pair kept in
 * .data/certs (git-ignored, created by `npm run certs`). Never committed, never printed. */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CheckpointKeyFiles } from "../../lib/audit/checkpoint-keys";
import type { AuditEnv } from "../../lib/config/env-schema.js";
import { CERT_DIR } from "./paths";

export const DEMO_SIGNING_KEY_FILE = path.join(CERT_DIR, "audit-signing-key.pem");
export const DEMO_VERIFY_KEY_FILE = path.join(CERT_DIR, "audit-verify-key.pem");

/** Creates the demo's Ed25519 key pair if missing; the private key is readable by its owner only. */
export function ensureDemoAuditKey() {
  if (existsSync(DEMO_SIGNING_KEY_FILE) && existsSync(DEMO_VERIFY_KEY_FILE)) return;
  mkdirSync(CERT_DIR, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  writeFileSync(DEMO_SIGNING_KEY_FILE, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(DEMO_VERIFY_KEY_FILE, publicKey.export({ type: "spki", format: "pem" }));
}

/** The configured key files; the demo pair only when nothing is configured and the database is the demo's. */
export function auditKeyFiles(settings: AuditEnv, isDemoDatabase: boolean): CheckpointKeyFiles {
  const configured = { signingKeyFile: settings.AUDIT_SIGNING_KEY_FILE, verifyKeyFile: settings.AUDIT_VERIFY_KEY_FILE };
  if (configured.signingKeyFile || configured.verifyKeyFile || !isDemoDatabase) return configured;
  return {
    signingKeyFile: existsSync(DEMO_SIGNING_KEY_FILE) ? DEMO_SIGNING_KEY_FILE : undefined,
    verifyKeyFile: existsSync(DEMO_VERIFY_KEY_FILE) ? DEMO_VERIFY_KEY_FILE : undefined,
  };
}
