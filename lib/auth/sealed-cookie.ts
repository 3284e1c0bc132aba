/**
 * Encrypted, authenticated cookie values (JWE, dir + A256GCM). The key is derived from
 * SESSION_SECRET per purpose, so a value sealed for one cookie cannot be replayed as another.
 * A changed byte, another key, another purpose or a passed expiry all read as "no value".
 */
import { hkdfSync } from "node:crypto";
import { EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";

export type CookiePurpose = "session" | "sign-in";

const keys = new Map<string, Uint8Array>();

function keyFor(secret: string, purpose: CookiePurpose) {
  const cacheKey = `${purpose}:${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = new Uint8Array(hkdfSync("sha256", secret, "aks-jit", `cookie:${purpose}`, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export async function seal(
  payload: JWTPayload,
  options: { secret: string; purpose: CookiePurpose; expiresAt: Date; now: Date },
) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setAudience(options.purpose)
    .setIssuedAt(Math.floor(options.now.getTime() / 1000))
    .setExpirationTime(Math.floor(options.expiresAt.getTime() / 1000))
    .encrypt(keyFor(options.secret, options.purpose));
}

export async function unseal(
  value: string,
  options: { secret: string; purpose: CookiePurpose; now: Date },
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtDecrypt(value, keyFor(options.secret, options.purpose), {
      audience: options.purpose,
      currentDate: options.now,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    return payload;
  } catch {
    return null;
  }
}
