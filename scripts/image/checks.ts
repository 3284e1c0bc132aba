/* What the image must say (USER, WORKDIR, CMD, ENV, ports, labels) and what it must not hold,
 * checked on its unpacked root filesystem: configuration and secrets (.env files, private keys),
 * source maps, devDependencies, and set-user-ID programs (the one way a non-root process could
 * become root again). */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/paths";
import type { ImageRootfs } from "./container";
import { expect, note } from "./steps";

export function checkImage({ config, root }: ImageRootfs) {
  expect(config.User === "10001:10001", `USER is ${config.User}, not the numeric 10001:10001`);
  expect(config.WorkingDir === "/app", `WORKDIR is ${config.WorkingDir}`);
  expect(JSON.stringify(config.Cmd) === '["node","server.js"]', `CMD is ${JSON.stringify(config.Cmd)}`);
  for (const variable of ["NODE_ENV=production", "PORT=3000", "HOSTNAME=0.0.0.0", "OPS_PORT=9464"])
    expect(config.Env?.includes(variable), `ENV lacks ${variable}: ${config.Env?.join(" ")}`);
  for (const port of ["3000/tcp", "9464/tcp"]) expect(config.ExposedPorts?.[port], `EXPOSE lacks ${port}`);
  for (const label of ["version", "revision", "source"])
    expect(config.Labels?.[`org.opencontainers.image.${label}`], `label org.opencontainers.image.${label} missing`);
  const findings = forbiddenContent(root);
  expect(findings.length === 0, `the image holds what it must not:\n${findings.join("\n")}`);
  const cache = statSync(path.join(root, "app", ".next", "cache"));
  expect(cache.uid === 10001, "/app/.next/cache belongs to 10001");
  note("USER 10001:10001, WORKDIR /app, CMD node server.js; no .env, key, source map, devDependency or setuid file");
}

const SKIPPED = new Set(["proc", "sys", "dev"]);

function* walk(dir: string, relative = ""): Generator<{ path: string; full: string; mode: number; isFile: boolean }> {
  for (const name of readdirSync(dir)) {
    const rel = path.posix.join(relative, name);
    if (!relative && SKIPPED.has(name)) continue;
    const full = path.join(dir, name);
    const stat = lstatSync(full);
    if (stat.isDirectory()) yield* walk(full, rel);
    else yield { path: `/${rel}`, full, mode: stat.mode, isFile: stat.isFile() };
  }
}

/** The findings; empty means clean. */
export function forbiddenContent(root: string): string[] {
  const findings: string[] = [];
  for (const file of walk(root)) {
    const base = path.posix.basename(file.path);
    const inApp = file.path.startsWith("/app/");
    if (base === ".env" || base.startsWith(".env.")) findings.push(`${file.path}: an .env file`);
    if (inApp && /\.(map)$/.test(base)) findings.push(`${file.path}: a source map`);
    if (inApp && /\.(pem|key|p12|pfx|crt)$/.test(base)) findings.push(`${file.path}: a key or certificate file`);
    if (file.isFile && /\.(pem|key)$/.test(base) && /PRIVATE KEY-----/.test(readFileSync(file.full, "latin1")))
      findings.push(`${file.path}: a private key`);
    if (file.isFile && (file.mode & 0o6000) !== 0) findings.push(`${file.path}: set-user/group-ID program`);
  }
  const packageJson = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  for (const name of Object.keys(packageJson.devDependencies ?? {}))
    for (const modules of ["app/node_modules", "app/.next/node_modules"])
      if (existsPath(path.join(root, modules, name))) findings.push(`/${modules}/${name}: a devDependency`);
  return findings;
}

function existsPath(file: string) {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
