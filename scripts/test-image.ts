/* `npm run test:image` (opt-in: TEST_IMAGE=1; .ci/run sets it): builds the container image from the
 * Containerfile with buildah, around the production build the e2e tests already made, then runs it as
 * the chart's pods would (read-only root, UID 10001, tmpfs on /tmp and /app/.next/cache) against a
 * fresh PostgreSQL and the emulator: migrations, config check, web and worker health, a request
 * activated by the container's worker, SIGTERM drains, bad configuration refused, nothing forbidden
 * in the image. Exports the image as an OCI archive under .data/image/ (scanner input in CI). */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildAppImage, exportArchive } from "./image/app-image";
import { NODE } from "./image/base-image";
import { buildah, buildahSync, IMAGE_DIR, imageConfig, imageSize, removeImages, requireTools } from "./image/buildah";
import { checkImage } from "./image/checks";
import { kill, openRootfs, type ContainerProcess, type ImageRootfs } from "./image/container";
import { exercise } from "./image/exercise";
import { removeTree } from "./image/remove-tree";
import { note, seconds, step, timings } from "./image/steps";
import { ROOT } from "./lib/paths";
import { run } from "./lib/processes";
import { isAlive } from "../lib/db/embedded-postgres";
import { startTestStack, type TestStack } from "../test/support/stack";

const STANDALONE = path.join(ROOT, ".next", "standalone");
const LOG_DIR = path.join(IMAGE_DIR, "logs");

if (process.env.TEST_IMAGE !== "1") {
  console.log(
    "test:image skipped: set TEST_IMAGE=1 to build and run the container image (needs root, buildah and debootstrap; .ci/run sets it).",
  );
  process.exit(0);
}

const runId = `${process.pid}`;
const buildOutputRef = `localhost/aks-jit-test-build-output:${runId}`;
const appRef = `localhost/aks-jit:test-${runId}`;
const runDir = path.join(IMAGE_DIR, `run-${runId}`);
const started = Date.now();
const processes: ContainerProcess[] = [];
let stack: TestStack | undefined;
let rootfs: ImageRootfs | undefined;

/**
 * Kills what the run started and deletes its working container, images and files. Synchronous, so
 * that it also completes on Ctrl-C, when the embedded PostgreSQL's own exit hook ends the process
 * soon after this one's handler.
 */
let cleanedUp = false;
function stopAndDelete() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of processes) if (child.isRunning()) kill(child, "SIGKILL");
  // Each process's output, for reading after a failure (the next run replaces them).
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  processes.forEach((child, i) =>
    writeFileSync(path.join(LOG_DIR, `${i + 1}-${child.name.replace(/[^\w.-]+/g, "-")}.log`), child.output()),
  );
  if (rootfs) buildahSync(["rm", rootfs.container]);
  for (const ref of [appRef, buildOutputRef]) buildahSync(["rmi", "--force", ref]);
  rmSync(runDir, { recursive: true, force: true });
}

// `on`, not `once`: Ctrl-C may arrive more than once; the clean-up runs at the first.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    stopAndDelete();
    void Promise.resolve(stack?.stop()).finally(() => process.exit(130));
  });

try {
  console.log("test:image: the container image, built with buildah and run as the chart runs it");
  const version = await step("tools", requireTools);
  note(`${version}; Node ${NODE.version} in the test base`);
  await removeLeftovers();

  if (!existsSync(path.join(STANDALONE, "server.js")))
    await step("npm run build (no .next/standalone yet)", () =>
      run(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: ROOT }),
    );
  note(`using the build of ${statSync(path.join(STANDALONE, "server.js")).mtime.toISOString()} in .next/standalone`);

  // Side by side; both settle before anything else, so that a failure of one still stops the other.
  const ready = await Promise.allSettled([
    buildAppImage({ buildOutput: buildOutputRef, app: appRef }),
    step("PostgreSQL and the emulator", async () => (stack = await startTestStack())),
  ]);
  for (const result of ready) if (result.status === "rejected") throw result.reason;

  const config = await imageConfig(appRef);
  rootfs = await step("working container (mounted)", () => openRootfs(appRef, config));
  await step("image metadata and content", async () => checkImage(rootfs!));
  await exercise({ rootfs, stack: stack!, processes, runDir });
  await step("OCI archive", () => exportArchive(appRef));
  console.log(`test:image passed in ${seconds(Date.now() - started)}; image ${await imageSize(appRef)}`);
} catch (error) {
  console.error(`test:image failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await step("clean-up", async () => {
    stopAndDelete();
    await Promise.all(processes.map((child) => child.exited));
    await stack?.stop();
  });
  const left = processes.filter((child) => isAlive(child.pid));
  if (left.length > 0) {
    console.error(`test:image left processes running: ${left.map((child) => child.pid).join(", ")}`);
    process.exitCode = 1;
  }
  console.log(timings.map((t) => `${t.step}: ${seconds(t.ms)}`).join(" | "));
}

/** Images, containers and directories of earlier runs that were killed before their clean-up. */
async function removeLeftovers() {
  const names = (await buildah(["images", "--format", "{{.Name}}:{{.Tag}}"])).split("\n");
  const stale = names.filter((name) => {
    const pid = name.match(/^localhost\/aks-jit(?:-test-build-output:|:test-)(\d+)$/)?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  await removeImages(stale);
  // Run directories of dead runs; base images half-assembled more than an hour ago.
  if (existsSync(IMAGE_DIR))
    for (const entry of readdirSync(IMAGE_DIR)) {
      const dir = path.join(IMAGE_DIR, entry);
      const pid = entry.match(/^run-(\d+)$/)?.[1];
      if (pid !== undefined && !isAlive(Number(pid))) removeTree(dir);
      if (entry.startsWith("base-") && Date.now() - statSync(dir).mtimeMs > 3_600_000) removeTree(dir);
    }
  if (stale.length > 0) note(`removed what an interrupted run left: ${stale.join(", ")}`);
}
