/* Deleting a directory that a chroot or debootstrap used: anything still mounted below it (a /proc,
 * or a /dev bound from the host when debootstrap runs in a container and is killed halfway) is
 * unmounted first, and nothing is deleted while a mount remains, so a recursive delete never reaches
 * into the host's /dev or /proc. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

function mountsBelow(dir: string) {
  const prefix = `${path.resolve(dir)}/`;
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4]?.replace(/\\040/g, " "))
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

export function removeTree(dir: string) {
  if (!existsSync(dir)) return;
  for (const mountPoint of mountsBelow(dir)) {
    try {
      execFileSync("umount", ["--lazy", mountPoint], { stdio: "ignore" });
    } catch {
      /* checked below */
    }
  }
  const left = mountsBelow(dir);
  if (left.length > 0) throw new Error(`not deleting ${dir}: still mounted there: ${left.join(", ")}`);
  rmSync(dir, { recursive: true, force: true });
}
