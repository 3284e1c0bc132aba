/**
 * The signed checkpoint that retention leaves where it removed old audit history: the last removed
 * event's seq and hash, so that the first remaining event can still be checked, and an Ed25519
 * signature, so that nobody without the signing key can forge one to hide a removal. Pure (no
 * database): used by the retention procedure, the verifier, and tests.
 *
 * An auditor can check a checkpoint with nothing but its fields and the public key: the signed text
 * is `checkpointText()` below, byte for byte (UTF-8), e.g.
 * `openssl pkeyutl -verify -pubin -inkey audit-public.pem -rawin -in checkpoint.txt -sigfile sig.bin`.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export interface CheckpointFields {
  id: string;
  createdAt: Date | string;
  /** the last removed event (the first remaining one links to its hash) */
  throughSeq: string | bigint;
  throughHash: string;
  throughOccurredAt: Date | string;
  removedEvents: string | bigint | number;
  /** the cut-off: every removed event occurred before it */
  olderThan: Date | string;
  keyId: string;
  /** the checkpoint this one follows, null for the first */
  previousId: string | null;
}

export interface StoredCheckpoint extends CheckpointFields {
  signature: string;
}

/** First line of the signed text: names the format, so that a later one cannot be mistaken for it. */
const TEXT_VERSION = "aks-jit audit checkpoint v1";

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * The exact text that is signed: one `name=value` line per field in a fixed order, each value in one
 * normal form (lower-case ids, decimal integers, ISO-8601 UTC times with milliseconds), so that the
 * same checkpoint always gives the same bytes however it was read back.
 */
export function checkpointText(fields: CheckpointFields): string {
  const lines = [
    TEXT_VERSION,
    `id=${fields.id.toLowerCase()}`,
    `previous=${fields.previousId?.toLowerCase() ?? "none"}`,
    `created_at=${iso(fields.createdAt)}`,
    `through_seq=${BigInt(fields.throughSeq).toString()}`,
    `through_hash=${fields.throughHash.toLowerCase()}`,
    `through_occurred_at=${iso(fields.throughOccurredAt)}`,
    `removed_events=${BigInt(fields.removedEvents).toString()}`,
    `older_than=${iso(fields.olderThan)}`,
    `key_id=${fields.keyId.toLowerCase()}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** sha256 of the public key (SPKI DER), first 16 hex digits: names the key without revealing anything. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

/** The public key as PEM (SPKI), what auditors are given to check checkpoints. */
export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return publicKey.export({ type: "spki", format: "pem" }).toString();
}

/** An Ed25519 private key from PEM; refuses any other kind of key. */
export function readSigningKey(pem: string): KeyObject {
  return ed25519(createPrivateKey(pem));
}

/** An Ed25519 public key from PEM (a private key's PEM gives its public half); refuses any other kind. */
export function readVerifyKey(pem: string): KeyObject {
  return ed25519(createPublicKey(pem));
}

function ed25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`the audit signing key must be an Ed25519 key, not ${key.asymmetricKeyType ?? "a symmetric key"}`);
  }
  return key;
}

/** Base64 Ed25519 signature of the checkpoint's text. */
export function signCheckpoint(fields: CheckpointFields, privateKey: KeyObject): string {
  return sign(null, Buffer.from(checkpointText(fields), "utf8"), privateKey).toString("base64");
}

export function isSignatureValid(checkpoint: StoredCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      Buffer.from(checkpointText(checkpoint), "utf8"),
      publicKey,
      Buffer.from(checkpoint.signature, "base64"),
    );
  } catch {
    // A malformed signature or field is as good as a wrong one.
    return false;
  }
}

export type CheckpointBreak = { seq: string; reason: string };

/**
 * Checks the line of checkpoints, in through_seq order: each follows the one before it, moves
 * forward, and carries a valid signature by `publicKey`. Returns the first problem, located at the
 * checkpoint's through_seq, or null. Without a key nothing can be trusted, so any checkpoint fails.
 */
export function checkCheckpoints(checkpoints: StoredCheckpoint[], publicKey: KeyObject | null): CheckpointBreak | null {
  const expectedKeyId = publicKey ? keyIdOf(publicKey) : null;
  let previous: StoredCheckpoint | null = null;
  for (const checkpoint of checkpoints) {
    const at = (reason: string) => ({ seq: BigInt(checkpoint.throughSeq).toString(), reason });
    if ((checkpoint.previousId ?? null) !== (previous?.id ?? null)) {
      return at(`checkpoint ${checkpoint.id} does not follow the checkpoint before it (one was removed or inserted)`);
    }
    if (previous && BigInt(checkpoint.throughSeq) <= BigInt(previous.throughSeq)) {
      return at(`checkpoint ${checkpoint.id} does not move past the checkpoint before it`);
    }
    if (!publicKey || !expectedKeyId) {
      return at(`checkpoint ${checkpoint.id} cannot be checked: no public key for audit checkpoints is configured`);
    }
    if (checkpoint.keyId !== expectedKeyId) {
      return at(
        `checkpoint ${checkpoint.id} was signed with key ${checkpoint.keyId}, not the configured ${expectedKeyId}`,
      );
    }
    if (!isSignatureValid(checkpoint, publicKey)) {
      return at(`checkpoint ${checkpoint.id} has an invalid signature (it was forged or altered)`);
    }
    previous = checkpoint;
  }
  return null;
}
