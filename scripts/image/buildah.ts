/* buildah as the image test uses it: no daemon, `--isolation chroot` for RUN steps, and a storage of
 * its own under .data/image/ with the vfs driver (no overlay mounts, nothing outside the checkout;
 * `rm -rf .data/image` forgets it all). */
import { execFile, execFileSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { DATA_DIR } from "../lib/paths";

const execFileAsync = promisify(execFile);

export const IMAGE_DIR = path.join(DATA_DIR, "image");

const STORAGE = [
  "--root",
  path.join(IMAGE_DIR, "storage"),
  "--runroot",
  path.join(IMAGE_DIR, "runroot"),
  "--storage-driver",
  "vfs",
];

/** Runs buildah and returns its standard output; a failure carries the command and all its output. */
export async function buildah(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync("buildah", [...STORAGE, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, STORAGE_DRIVER: "vfs" },
    });
    return stdout.trim();
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`buildah ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
}

/** For the clean-up, which must finish even when a signal is about to end the process: best effort,
 * and quiet about what is already gone. */
export function buildahSync(args: string[]) {
  try {
    execFileSync("buildah", [...STORAGE, ...args], { stdio: "ignore", env: { ...process.env, STORAGE_DRIVER: "vfs" } });
  } catch {
    /* not there (any more) */
  }
}

/** Fails with what to install when a tool the test needs is missing (never a silent skip). */
export async function requireTools() {
  const missing: string[] = [];
  for (const [tool, versionFlag, pkg] of [
    ["buildah", "--version", "buildah"],
    ["debootstrap", "--version", "debootstrap"],
    ["unshare", "--version", "util-linux"],
  ] as const) {
    try {
      await execFileAsync(tool, [versionFlag]);
    } catch {
      missing.push(`${tool} (Debian package ${pkg})`);
    }
  }
  if (missing.length > 0)
    throw new Error(
      `TEST_IMAGE=1 but ${missing.join(", ")} cannot be run: install with \`apt-get install -y buildah debootstrap\` (as root), or unset TEST_IMAGE to skip the image test.`,
    );
  if (process.getuid?.() !== 0)
    throw new Error("TEST_IMAGE=1 needs root: debootstrap, buildah's chroot isolation and the mounts run as root.");
  return (await execFileAsync("buildah", ["--version"])).stdout.trim();
}

export async function imageExists(ref: string) {
  try {
    await buildah(["inspect", "--type", "image", "--format", "{{.FromImageID}}", ref]);
    return true;
  } catch {
    return false;
  }
}

export interface ImageConfig {
  User?: string;
  Env?: string[];
  WorkingDir?: string;
  Cmd?: string[];
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export async function imageConfig(ref: string): Promise<ImageConfig> {
  const inspected = JSON.parse(await buildah(["inspect", "--type", "image", ref])) as {
    OCIv1: { config?: ImageConfig };
  };
  return inspected.OCIv1.config ?? {};
}

/** buildah's own figure for an image ("250 MB"): the uncompressed size of its layers. */
export async function imageSize(ref: string) {
  return buildah(["images", "--format", "{{.Size}}", ref]);
}

/**
 * Deletes images and every working container made from them, including the one buildah 1.28 leaves
 * behind for a stage used by `RUN --mount=from=`. Missing images are not an error.
 */
export async function removeImages(refs: string[]) {
  for (const ref of refs) if (await imageExists(ref)) await buildah(["rmi", "--force", ref]);
}
