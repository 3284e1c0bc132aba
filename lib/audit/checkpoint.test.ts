import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkCheckpoints,
  checkpointText,
  isSignatureValid,
  keyIdOf,
  readSigningKey,
  readVerifyKey,
  signCheckpoint,
  type CheckpointFields,
  type StoredCheckpoint,
} from "./checkpoint";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const keyId = keyIdOf(publicKey);

const fields = (n: number, previousId: string | null = null): CheckpointFields => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  createdAt: new Date(Date.UTC(2026, 10, 23, 10, 0, n)),
  throughSeq: String(100 * n),
  throughHash: String(n).repeat(64),
  throughOccurredAt: new Date(Date.UTC(2026, 6, 31, 23, 59, 59, 900)),
  removedEvents: 100,
  olderThan: new Date(Date.UTC(2026, 7, 1)),
  keyId,
  previousId,
});

const signed = (f: CheckpointFields, key = privateKey): StoredCheckpoint => ({
  ...f,
  signature: signCheckpoint(f, key),
});

describe("checkpointText", () => {
  it("is one name=value line per field, in a fixed order and one normal form", () => {
    expect(checkpointText(fields(1))).toBe(
      [
        "aks-jit audit checkpoint v1",
        "id=00000000-0000-4000-8000-000000000001",
        "previous=none",
        "created_at=2026-11-23T10:00:01.000Z",
        "through_seq=100",
        `through_hash=${"1".repeat(64)}`,
        "through_occurred_at=2026-07-31T23:59:59.900Z",
        "removed_events=100",
        "older_than=2026-08-01T00:00:00.000Z",
        `key_id=${keyId}`,
        "",
      ].join("\n"),
    );
  });

  it("gives the same text however the fields were read back (text or Date, bigint or string, any case)", () => {
    const f = fields(2, "00000000-0000-4000-8000-00000000000A");
    const asRead: CheckpointFields = {
      ...f,
      id: f.id.toUpperCase(),
      previousId: f.previousId!.toLowerCase(),
      createdAt: "2026-11-23T11:00:02+01:00",
      throughSeq: 200n,
      removedEvents: "100",
      throughOccurredAt: (f.throughOccurredAt as Date).toISOString(),
    };
    expect(checkpointText(asRead)).toBe(checkpointText(f));
  });
});

describe("signatures", () => {
  it("verify with the public key, and fail when any signed field changes", () => {
    const checkpoint = signed(fields(1));
    expect(isSignatureValid(checkpoint, publicKey)).toBe(true);
    for (const change of [
      { throughSeq: "101" },
      { throughHash: "f".repeat(64) },
      { removedEvents: 99 },
      { olderThan: new Date(Date.UTC(2026, 8, 1)) },
      { previousId: "00000000-0000-4000-8000-000000000009" },
    ]) {
      expect(isSignatureValid({ ...checkpoint, ...change }, publicKey)).toBe(false);
    }
    expect(isSignatureValid({ ...checkpoint, signature: "not base64!" }, publicKey)).toBe(false);
  });

  it("reads Ed25519 keys from PEM, and refuses other kinds", () => {
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(keyIdOf(readSigningKey(pem))).toBe(keyId);
    expect(keyIdOf(readVerifyKey(pem))).toBe(keyId);
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    expect(() => readSigningKey(rsa.toString())).toThrow(/must be an Ed25519 key, not rsa/);
  });
});

describe("checkCheckpoints", () => {
  const first = signed(fields(1));
  const second = signed(fields(2, first.id));
  const other = generateKeyPairSync("ed25519");

  it.each([
    ["an empty line", [], null],
    ["a line of two, each following the one before", [first, second], null],
    ["a checkpoint removed from the line", [second], /checkpoint .*2 does not follow the checkpoint before it/],
    ["a checkpoint that does not move forward", [first, { ...second, throughSeq: "100" }], /does not move past/],
    ["an altered field", [first, { ...second, removedEvents: "1" }], /checkpoint .*2 has an invalid signature/],
    [
      "a checkpoint signed with another key",
      [first, signed({ ...fields(2, first.id), keyId: keyIdOf(other.publicKey) }, other.privateKey)],
      /was signed with key [0-9a-f]{16}, not the configured/,
    ],
    [
      "a forged signature under the right key id",
      [first, signed(fields(2, first.id), other.privateKey)],
      /checkpoint .*2 has an invalid signature/,
    ],
  ])("%s", (_case, line, problem) => {
    const result = checkCheckpoints(line as StoredCheckpoint[], publicKey);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toEqual({ seq: String(line.at(-1)!.throughSeq), reason: expect.stringMatching(problem) });
  });

  it("trusts no checkpoint without a public key, and says so at its seq", () => {
    expect(checkCheckpoints([first], null)).toEqual({
      seq: "100",
      reason: expect.stringMatching(/cannot be checked: no public key/),
    });
  });
});
