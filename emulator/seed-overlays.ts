/* Seed overlays: named files in emulator/seeds/ that add directory objects and Azure role assignments
 * to the tenant seed (tenant.ts ZSeedOverlay), for scenarios the demo tenant itself leaves out. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ZSeedOverlay, type SeedOverlay } from "./tenant";

const SEEDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "seeds");

export function readSeedOverlay(name: string): SeedOverlay {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`no seed overlay is named "${name}"`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(SEEDS_DIR, `${name}.json`), "utf8"));
  } catch {
    throw new Error(`no seed overlay is named "${name}"`);
  }
  const parsed = ZSeedOverlay.safeParse(raw);
  if (!parsed.success) throw new Error(`seed overlay ${name} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
