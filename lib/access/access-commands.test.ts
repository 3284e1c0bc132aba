import { describe, expect, it } from "vitest";
import { ZAccessCommand } from "@/lib/schemas/request-view";
import type { SshAccessMode } from "@/lib/posture/types";
import { accessCommands, connectCommands, NODE_DEBUG_IMAGE, type CommandFacts } from "./access-commands";

const cluster = {
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg-aks-prod",
  clusterName: "aks-prod-weu",
  nodeResourceGroup: "MC_rg-aks-prod_aks-prod-weu_westeurope",
};
const admin = { grants: [{ kind: "entraGroup", groupId: "g" }] } as never;
const nodeAccess = { grants: [{ kind: "armRoleAssignment", scope: "nodeResourceGroup" }] } as never;

function facts(isPrivate: boolean, ...modes: SshAccessMode[]): CommandFacts {
  return { isPrivate, nodePools: modes.map((sshAccess, i) => ({ name: `pool${i + 1}`, mode: "User", sshAccess })) };
}
const lines = (commands: { command: string }[]) => commands.map((c) => c.command);
const notes = (commands: { note?: string }[]) => commands.map((c) => c.note ?? "").join("\n");

describe("accessCommands", () => {
  it("a cluster never checked: the kubeconfig as before, saying the posture was not checked", () => {
    const commands = accessCommands(cluster, admin, null);
    expect(lines(commands)).toEqual([
      "az aks get-credentials --subscription 00000000-0000-0000-0000-000000000001 --resource-group rg-aks-prod --name aks-prod-weu --overwrite-existing",
      "kubelogin remove-tokens",
    ]);
    expect(commands[0]!.note).toMatch(/posture has not been checked/);
  });

  it("a public cluster: the kubeconfig, signed in through the Azure CLI, and the token advice last", () => {
    const commands = accessCommands(cluster, admin, facts(false, "Disabled"));
    expect(lines(commands)).toEqual([
      expect.stringMatching(/^az aks get-credentials .*--name aks-prod-weu/),
      "kubelogin convert-kubeconfig -l azurecli",
      "kubelogin remove-tokens",
    ]);
    expect(notes(commands)).toBe("\n\n");
  });

  it("a private cluster: az aks command invoke, never get-credentials, and why kubectl needs the network", () => {
    const commands = accessCommands(cluster, admin, facts(true, "Disabled"));
    expect(lines(commands)).toEqual([
      'az aks command invoke --subscription 00000000-0000-0000-0000-000000000001 --resource-group rg-aks-prod --name aks-prod-weu --command "kubectl get pods -A"',
      "kubelogin remove-tokens",
    ]);
    expect(commands[0]!.note).toMatch(/private.*jump host, Azure Bastion or a VPN/);
    expect(lines(commands).join("\n")).not.toContain("get-credentials");
  });

  it("node access never checked: the nodes and az ssh vm, as before", () => {
    expect(lines(accessCommands(cluster, nodeAccess, null))).toEqual([
      expect.stringMatching(/^az aks get-credentials /),
      "kubectl get nodes -o wide",
      "az ssh vm --subscription 00000000-0000-0000-0000-000000000001 --resource-group MC_rg-aks-prod_aks-prod-weu_westeurope --name <node>",
      "kubelogin remove-tokens",
    ]);
  });

  it.each<{ name: string; modes: SshAccessMode[]; has: RegExp[]; hasNot: RegExp[]; note: RegExp }>([
    {
      name: "Entra ID SSH: az ssh vm on the node resource group",
      modes: ["EntraId"],
      has: [/^az ssh vm .*--resource-group MC_rg-aks-prod/],
      hasNot: [/kubectl debug/],
      note: /private addresses only/,
    },
    {
      name: "SSH disabled: kubectl debug with the guide's image, needing the admin role",
      modes: ["Disabled"],
      has: [new RegExp(`^kubectl debug node/<node> -it --image=${NODE_DEBUG_IMAGE.replaceAll(".", "\\.")}$`)],
      hasNot: [/az ssh vm/],
      note: /admin role.*SSH is disabled on pool1/s,
    },
    {
      name: "local users: flagged as a bypass, no key-based ssh handed out, kubectl debug instead",
      modes: ["LocalUser"],
      has: [/^kubectl debug node\//],
      hasNot: [/az ssh vm/, /^ssh /, /ssh-key/],
      note: /pool1 accepts SSH with local keys.*bypass.*hands out no keys/s,
    },
    {
      name: "an unknown mode: az ssh vm, saying the mode is not known",
      modes: ["unknown"],
      has: [/^az ssh vm /],
      hasNot: [/kubectl debug/],
      note: /SSH mode of pool1 is not known/,
    },
    {
      name: "mixed pools: each route, and every local-user pool named",
      modes: ["EntraId", "LocalUser", "LocalUser", "Disabled"],
      has: [/^az ssh vm /, /^kubectl debug node\//],
      hasNot: [/^ssh /],
      note: /pool2, pool3 accept SSH with local keys/,
    },
  ])("node access, $name", ({ modes, has, hasNot, note }) => {
    const commands = accessCommands(cluster, nodeAccess, facts(false, ...modes));
    for (const pattern of has) expect(lines(commands).some((c) => pattern.test(c))).toBe(true);
    for (const pattern of hasNot) expect(lines(commands).some((c) => pattern.test(c))).toBe(false);
    expect(notes(commands)).toMatch(note);
    expect(lines(commands)).toContain("kubectl get nodes -o wide");
    expect(lines(commands).at(-1)).toBe("kubelogin remove-tokens");
  });

  it("node access on a private cluster lists the nodes through AKS and says kubectl debug needs the network", () => {
    const commands = accessCommands(cluster, nodeAccess, facts(true, "Disabled"));
    expect(lines(commands)).toContain(
      'az aks command invoke --subscription 00000000-0000-0000-0000-000000000001 --resource-group rg-aks-prod --name aks-prod-weu --command "kubectl get nodes -o wide"',
    );
    expect(commands.find((c) => c.command.startsWith("kubectl debug"))!.note).toMatch(/cluster's network/);
  });

  it("every command fits the API's schema", () => {
    for (const f of [null, facts(true, "LocalUser", "EntraId"), facts(false, "Disabled", "unknown")]) {
      for (const c of accessCommands(cluster, nodeAccess, f)) expect(ZAccessCommand.parse(c)).toEqual(c);
    }
  });
});

describe("connectCommands", () => {
  it("the cluster's commands and the token advice, without the node steps", () => {
    expect(lines(connectCommands(cluster, facts(true, "LocalUser")))).toEqual([
      expect.stringMatching(/^az aks command invoke /),
      "kubelogin remove-tokens",
    ]);
  });
});

describe("ZAccessCommand", () => {
  it("parses a command stored before notes existed (older evidence packs)", () => {
    expect(ZAccessCommand.parse({ label: "Get the cluster's credentials", command: "az aks get-credentials" })).toEqual(
      {
        label: "Get the cluster's credentials",
        command: "az aks get-credentials",
      },
    );
  });
});
