/* Runs commands from an image the way the chart's pods do, without a container runtime: the image's
 * root filesystem (a buildah working container) mounted READ-ONLY in a mount namespace of the
 * process's own, tmpfs on /tmp and /app/.next/cache (the chart's emptyDir volumes), a minimal /dev,
 * the configuration files bound read-only at /etc/aks-jit, and the image's USER, WORKDIR, ENV and CMD.
 * The network is the host's, so the process reaches PostgreSQL and the emulator on localhost. The
 * spawned PID is the app's own process (sh, chroot and env each exec the next), so signals go
 * straight to it and /proc/<pid>/status shows its credentials. The mounts vanish with the process. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { buildah, type ImageConfig } from "./buildah";

// Positional parameters: root, uid, gid, working directory, host config directory, then the command.
const ENTER = `
set -eu
root=$1 uid=$2 gid=$3 workdir=$4 config=$5; shift 5
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m tmpfs "$root/tmp"
mount -t tmpfs -o "nosuid,nodev,mode=0700,uid=$uid,gid=$gid,size=64m" tmpfs "$root/app/.next/cache"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=0755,size=64k tmpfs "$root/dev"
for dev in null zero full random urandom; do touch "$root/dev/$dev"; mount --bind "/dev/$dev" "$root/dev/$dev"; done
ln -s /proc/self/fd "$root/dev/fd"
mount --bind -o ro "$config" "$root/etc/aks-jit"
exec /usr/sbin/chroot --userspec="$uid:$gid" --groups="$gid" "$root" /usr/bin/env --chdir="$workdir" "$@"
`;

export interface ImageRootfs {
  container: string;
  root: string;
  config: ImageConfig;
}

/** A working container of the image, mounted; the mount points the runs need are made in its own
 * layer, as a container runtime makes them, before anything runs with the root read-only. */
export async function openRootfs(image: string, config: ImageConfig): Promise<ImageRootfs> {
  const container = await buildah(["from", "--pull=never", "--quiet", image]);
  try {
    const root = await buildah(["mount", container]);
    mkdirSync(`${root}/etc/aks-jit`, { recursive: true });
    writeFileSync(`${root}/etc/hosts`, "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
    return { container, root, config };
  } catch (error) {
    await buildah(["rm", container]);
    throw error;
  }
}

export interface ContainerProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  isRunning(): boolean;
}

export function startInImage(
  rootfs: ImageRootfs,
  options: { name: string; command?: string[]; env: Record<string, string>; configDir: string; user?: string },
): ContainerProcess {
  const { config } = rootfs;
  const command = options.command ?? config.Cmd ?? [];
  const user = options.user ?? config.User ?? "";
  const [uid, gid] = user.split(":");
  if (!/^\d+$/.test(uid ?? "") || !/^\d+$/.test(gid ?? ""))
    throw new Error(`the user "${user}" is not a numeric UID:GID`);
  const imageEnv = Object.fromEntries((config.Env ?? []).map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
  const started = Date.now();
  const child = spawn(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      ENTER,
      "sh",
      rootfs.root,
      uid!,
      gid!,
      config.WorkingDir || "/",
      options.configDir,
      ...command,
    ],
    { env: { ...imageEnv, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.once("exit", (code, signal) => {
      running = false;
      resolve({ code, signal, afterMs: Date.now() - started });
    }),
  );
  return { name: options.name, pid: child.pid!, child, output: () => output, exited, isRunning: () => running };
}

/** Waits for the process to exit by itself within `ms`; kills it (and fails) if it does not. */
export async function exitWithin(process: ContainerProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  const result = await Promise.race([process.exited, timeout]);
  clearTimeout(timer);
  if (result !== "timeout") return result;
  kill(process, "SIGKILL");
  throw new Error(`${process.name} did not exit within ${ms / 1000} s. Its output:\n${process.output()}`);
}

/** Signals the process's group: the app and anything it started. */
export function kill(process: ContainerProcess, signal: NodeJS.Signals) {
  try {
    globalThis.process.kill(-process.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Real, effective, saved and filesystem UIDs and GIDs, and supplementary groups, from /proc. */
export function credentialsOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const numbers = (field: string) =>
    (status.match(new RegExp(`^${field}:\\s*(.*)$`, "m"))?.[1] ?? "").split(/\s+/).filter(Boolean).map(Number);
  return {
    name: status.match(/^Name:\s*(.*)$/m)?.[1],
    uids: numbers("Uid"),
    gids: numbers("Gid"),
    groups: numbers("Groups"),
  };
}

/** The PIDs of the process and all its descendants, from /proc. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), entry]);
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

function readdirProc() {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}
