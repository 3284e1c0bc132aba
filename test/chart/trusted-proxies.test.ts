/**
 * Guards the client IP the app records behind the AKS ingress: with the chart's Ingress, the ingress
 * controller is the one proxy in front of the pods, so the app must trust exactly that hop
 * (TRUSTED_PROXIES), and without it none, or every client could choose the address in the audit.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ZEnv } from "../../lib/config/env-schema.js";
import { find, FULLNAME, render, renderRefused } from "./render";

const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-chart-proxies-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trustedProxies(files: string[], extra: string[] = []) {
  const { objects } = await render(files, extra);
  const data = find(objects, "ConfigMap", `${FULLNAME}-config`).data as Record<string, string>;
  return data.TRUSTED_PROXIES;
}

describe("TRUSTED_PROXIES", () => {
  it("trusts the one ingress controller hop when the chart makes the Ingress", async () => {
    const value = await trustedProxies(["ingress.yaml"]);
    expect(value).toBe("1");
    expect(ZEnv.shape.TRUSTED_PROXIES.parse(value)).toEqual({ kind: "hops", hops: 1 });
  });

  it("trusts no proxy without the chart's Ingress: the address that connects is the client", async () => {
    const value = await trustedProxies([]);
    expect(value).toBe("0");
    expect(ZEnv.shape.TRUSTED_PROXIES.parse(value)).toEqual({ kind: "none" });
  });

  it("passes the ingress controller's pod CIDRs as given", async () => {
    const file = path.join(dir, "cidrs.yaml");
    writeFileSync(file, 'config:\n  trustedProxies: "10.244.0.0/16, fd00::/8"\n');
    const value = await trustedProxies(["ingress.yaml", file]);
    expect(value).toBe("10.244.0.0/16, fd00::/8");
    expect(ZEnv.shape.TRUSTED_PROXIES.parse(value)).toMatchObject({ kind: "subnets" });
  });

  it("keeps an explicit 0 with the Ingress", async () => {
    expect(await trustedProxies(["ingress.yaml"], ["--set-string", "config.trustedProxies=0"])).toBe("0");
  });

  it("refuses a value that is neither a hop count nor addresses", async () => {
    const stderr = await renderRefused([], ["--set-string", "config.trustedProxies=10.0.0.0/8;true"]);
    expect(stderr).toMatch(/at '\/config\/trustedProxies'/);
  });
});
