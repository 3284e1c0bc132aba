import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DATA_DIR = path.join(ROOT, ".data");
export const CERT_DIR = path.join(DATA_DIR, "certs");
export const LOG_DIR = path.join(DATA_DIR, "logs");
export const BIN = path.join(ROOT, "node_modules", ".bin");
export const STANDALONE = path.join(ROOT, ".next", "standalone");
/** Written by scripts/build.ts once a build is complete: what it was built from (build-fingerprint.ts). */
export const BUILD_STAMP = path.join(ROOT, ".next", "build-fingerprint.json");
