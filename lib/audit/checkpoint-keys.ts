/**
 * The keys of audit checkpoints, read from the PEM files the configuration names (see
 * lib/config/env-schema.js). Files rather than PEM in a variable: a key mounted as a secret file
 * stays out of process listings and crash dumps of the environment, and the private key can be
 * given to the operator's command alone while the app gets only the public one.
 */
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { readSigningKey, readVerifyKey } from "./checkpoint";

export interface CheckpointKeyFiles {
  /** AUDIT_SIGNING_KEY_FILE: the Ed25519 private key (PKCS#8 PEM) */
  signingKeyFile?: string;
  /** AUDIT_VERIFY_KEY_FILE: the Ed25519 public key (SPKI PEM) */
  verifyKeyFile?: string;
}

/** The key that signs checkpoints; null when none is configured. */
export function loadSigningKey(files: CheckpointKeyFiles): KeyObject | null {
  return files.signingKeyFile ? readKeyFile(files.signingKeyFile, "AUDIT_SIGNING_KEY_FILE", readSigningKey) : null;
}

/** The key that checkpoints are checked with: the public key file, else the signing key's public half. */
export function loadVerifyKey(files: CheckpointKeyFiles): KeyObject | null {
  if (files.verifyKeyFile) return readKeyFile(files.verifyKeyFile, "AUDIT_VERIFY_KEY_FILE", readVerifyKey);
  if (files.signingKeyFile) return readKeyFile(files.signingKeyFile, "AUDIT_SIGNING_KEY_FILE", readVerifyKey);
  return null;
}

function readKeyFile(file: string, setting: string, read: (pem: string) => KeyObject): KeyObject {
  try {
    return read(readFileSync(file, "utf8"));
  } catch (error) {
    // The reason names the file and what is wrong with it, never its content.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${setting} (${file}) does not hold a usable Ed25519 key: ${reason}`);
  }
}
