/**
 * Guards the Terraform module (deploy/terraform) against drifting from the app it sets up. Terraform
 * cannot plan it here (no registry), so the module is parsed as HCL and held to the app's own tables
 * (lib/cloud/required-permissions.ts), to the Helm chart its outputs feed (values.schema.json and a real
 * render), to its README's output table, and to terraform fmt's layout rules.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  GRAPH_PERMISSIONS,
  PROVISIONER_ROLE,
  REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS,
  SIGN_IN_DELEGATED_PERMISSIONS,
} from "../../lib/cloud/required-permissions";
import { ROOT } from "../../scripts/lib/paths";
import { CHART_DIR, find, render } from "../chart/render";
import { formatProblems } from "./hcl-format";

const MODULE_DIR = path.join(ROOT, "deploy", "terraform");
const TF_FILES = readdirSync(MODULE_DIR)
  .filter((file) => file.endsWith(".tf"))
  .sort();

// hcl2json's JSON: each block kind maps labels to a list of bodies; expressions are "${...}" strings.
type Body = Record<string, unknown>;
type Labelled = Record<string, Body[]>;
interface Module {
  variable: Labelled;
  output: Labelled;
  locals: Body;
  resource: Record<string, Labelled>;
}

let mod: Module;
const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-terraform-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  mod = { variable: {}, output: {}, locals: {}, resource: {} };
  for (const file of TF_FILES) {
    const json = (await parseHcl(file, readFileSync(path.join(MODULE_DIR, file), "utf8"))) as {
      variable?: Labelled;
      output?: Labelled;
      locals?: Body[];
      resource?: Record<string, Labelled>;
    };
    Object.assign(mod.variable, json.variable);
    Object.assign(mod.output, json.output);
    for (const locals of json.locals ?? []) Object.assign(mod.locals, locals);
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      mod.resource[type] = { ...mod.resource[type], ...byName };
    }
  }
});

function resource(type: string, name: string): Body {
  const body = mod.resource[type]?.[name]?.[0];
  if (!body) throw new Error(`deploy/terraform has no resource ${type}.${name}`);
  return body;
}

function first(bodies: Body[] | undefined, what: string): Body {
  if (!bodies?.[0]) throw new Error(`deploy/terraform has no ${what}`);
  return bodies[0];
}

function block(body: Body, name: string): Body {
  const blocks = body[name] as Body[] | undefined;
  if (!blocks?.[0]) throw new Error(`no ${name} block`);
  return blocks[0];
}

/** Leaves of an object as [dotted path, value]. */
function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}

const HELM_LOCAL = /^\$\{local\.helm_values\.([\w.]+)\}$/;

describe("the module's files", () => {
  it.each(TF_FILES)("%s follows terraform fmt's layout", (file) => {
    expect(formatProblems(readFileSync(path.join(MODULE_DIR, file), "utf8"), file)).toEqual([]);
  });

  it("every variable has a description and a type", () => {
    const variables = Object.entries(mod.variable);
    expect(variables.length).toBeGreaterThan(5);
    for (const [name, bodies] of variables) {
      const body = first(bodies, `variable ${name}`);
      expect(body.description, `variable ${name}`).toMatch(/\S{3,}/);
      expect(body.type, `variable ${name}`).toBeTruthy();
    }
  });

  it("every output has a description", () => {
    for (const [name, bodies] of Object.entries(mod.output)) {
      expect(first(bodies, `output ${name}`).description, `output ${name}`).toMatch(/\S/);
    }
  });
});

describe("the layout check itself", () => {
  it("finds what terraform fmt would change, and accepts what it leaves", () => {
    const good = [
      'resource "x" "y" {',
      "  name = var.name",
      '  key  = "a = b"',
      "",
      "  list = merge([",
      "    for k in var.keys : {",
      '      "${k}/a" = k',
      "    }",
      "  ]...)",
      "}",
      "",
    ].join("\n");
    expect(formatProblems(good, "good.tf")).toEqual([]);
    expect(formatProblems(good.replace("  key  =", "  key ="), "bad.tf")).toEqual([
      'bad.tf:3: "=" at column 7, terraform fmt aligns it at 8',
    ]);
    expect(formatProblems(good.replace("    for k", "   for k"), "bad.tf")).toEqual([
      "bad.tf:6: indented 3 spaces, terraform fmt indents 4",
    ]);
    expect(formatProblems(good.replace("  name = var.name", "  name = var.name # why"), "bad.tf")).toHaveLength(1);
  });
});

describe("what the app needs (lib/cloud/required-permissions.ts)", () => {
  it("grants the Graph application permissions of GRAPH_PERMISSIONS, need by need", () => {
    const expected: Record<string, string[]> = {};
    for (const { permission, when } of GRAPH_PERMISSIONS) (expected[when] ??= []).push(permission);
    const inModule = mod.locals.graph_application_permissions as Record<string, string[]>;
    expect(Object.fromEntries(Object.entries(inModule).map(([when, list]) => [when, [...list].sort()]))).toEqual(
      Object.fromEntries(Object.entries(expected).map(([when, list]) => [when, [...list].sort()])),
    );
    // The variable that picks the needs accepts exactly the optional ones.
    const validation = block(
      first(mod.variable.graph_permission_needs, "variable graph_permission_needs"),
      "validation",
    ).condition as string;
    for (const when of Object.keys(expected).filter((need) => need !== "always")) {
      expect(validation).toContain(`"${when}"`);
    }
  });

  it("asks for and consents to the delegated sign-in permissions", () => {
    expect(mod.locals.sign_in_delegated_permissions).toEqual([...SIGN_IN_DELEGATED_PERMISSIONS]);
    const grant = resource("azuread_service_principal_delegated_permission_grant", "graph");
    expect(grant.claim_values).toContain("local.sign_in_delegated_permissions");
  });

  it("consents to each granted application permission on Microsoft Graph", () => {
    const app = resource("azuread_application", "app");
    const access = block(app, "required_resource_access");
    const dynamics = (access.dynamic as Record<string, Body[] | undefined>).resource_access ?? [];
    const roles = dynamics.find((d) => JSON.stringify(d.content).includes('"Role"'));
    expect(roles?.for_each).toBe("${toset(local.granted_graph_permissions)}");
    expect(resource("azuread_app_role_assignment", "graph").for_each).toBe("${toset(local.granted_graph_permissions)}");
    expect(mod.locals.granted_graph_permissions).toContain("local.graph_application_permissions");
  });

  it("creates the custom role PROVISIONER_ROLE and assigns it to the app", () => {
    const role = mod.locals.provisioner_role as { name: string; description: string; actions: string[] };
    expect(role).toEqual({
      name: PROVISIONER_ROLE.roleName,
      description: PROVISIONER_ROLE.description,
      actions: [...PROVISIONER_ROLE.actions],
    });
    const definition = resource("azurerm_role_definition", "provisioner");
    expect(block(definition, "permissions").actions).toBe("${local.provisioner_role.actions}");
    const assignment = resource("azurerm_role_assignment", "provisioner");
    expect(assignment.principal_id).toBe("${azuread_service_principal.app.object_id}");
    expect(assignment.role_definition_id).toBe("${azurerm_role_definition.provisioner.role_definition_resource_id}");
  });

  it("asks for the ID token's optional claims step-up needs", () => {
    const claims = block(resource("azuread_application", "app"), "optional_claims").id_token as Body[];
    expect(claims.map((claim) => claim.name)).toEqual(expect.arrayContaining([...REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS]));
  });

  it("registers the redirect URIs, groups claim and API scope the app uses", () => {
    const app = resource("azuread_application", "app");
    expect(app.sign_in_audience).toBe("AzureADMyOrg");
    expect(app.group_membership_claims).toEqual(["SecurityGroup"]);
    // lib/auth/sign-in.ts, app/auth/sign-out/route.ts, lib/auth/step-up.ts
    expect(block(app, "web").redirect_uris).toEqual(["${var.app_url}/auth/callback", "${var.app_url}/signed-out"]);
    expect(block(app, "single_page_application").redirect_uris).toEqual(["${var.app_url}/auth/popup"]);
    // lib/api/access-token.ts: api://<client id>/access_as_user, v2 tokens only
    const api = block(app, "api");
    expect(api.requested_access_token_version).toBe(2);
    expect(block(api, "oauth2_permission_scope").value).toBe("access_as_user");
    expect(resource("azuread_application_identifier_uri", "api").identifier_uri).toBe(
      "api://${azuread_application.app.client_id}",
    );
  });
});

describe("audit logs for the activity summary (docs/activity.md)", () => {
  it("gives the app Log Analytics Reader on every workspace it queries", () => {
    const reader = resource("azurerm_role_assignment", "log_analytics_reader");
    expect(reader.for_each).toBe("${local.activity_workspace_ids}");
    expect(reader.role_definition_name).toBe("Log Analytics Reader");
    expect(reader.principal_id).toBe("${azuread_service_principal.app.object_id}");
    // The named workspaces and the one the module sends the logs to.
    expect(mod.locals.activity_workspace_ids).toContain("var.log_analytics_workspace_ids");
    expect(mod.locals.activity_workspace_ids).toContain("var.audit_log_workspace_id");
  });

  it("sends the chosen audit categories of each target cluster to the workspace in resource-specific mode", () => {
    const setting = resource("azurerm_monitor_diagnostic_setting", "audit");
    expect(setting.for_each).toBe("${local.audit_log_clusters}");
    expect(setting.target_resource_id).toBe("${each.value.id}");
    expect(setting.log_analytics_workspace_id).toBe("${var.audit_log_workspace_id}");
    // AzureDiagnostics mode would leave the AKSAudit* tables the app queries empty.
    expect(setting.log_analytics_destination_type).toBe("Dedicated");
    const logs = (setting.dynamic as Record<string, Body[]>).enabled_log![0]!;
    expect(logs.for_each).toBe("${toset(var.audit_log_categories)}");
    expect(block(logs, "content").category).toBe("${enabled_log.value}");
    // Only when asked: without a workspace, no cluster gets a setting.
    expect(mod.locals.audit_log_clusters).toContain("if var.audit_log_workspace_id != null");
  });

  it("defaults to kube-audit-admin, the cheaper category, and accepts only the two audit categories", () => {
    const categories = first(mod.variable.audit_log_categories, "variable audit_log_categories");
    expect(categories.default).toEqual(["kube-audit-admin"]);
    const condition = block(categories, "validation").condition as string;
    expect(condition).toContain('"kube-audit-admin"');
    expect(condition).toContain('"kube-audit"');
  });
});

describe("outputs and the Helm chart", () => {
  const schema = JSON.parse(readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")) as SchemaNode;

  it("names every output in the README's table, with the Helm value it feeds", () => {
    const readme = readFileSync(path.join(MODULE_DIR, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Outputs and Helm values"));
    const documented = Object.fromEntries(
      [...table.matchAll(/^\| `(\w+)`\s+\| (.+?)\s+\|$/gm)].map(([, output, paths]) => [
        output,
        [...(paths ?? "").matchAll(/`([\w.]+)`/g)].map(([, p]) => p).sort(),
      ]),
    );
    expect(documented).toEqual(expectedMapping());
  });

  it("feeds only values the chart's schema knows", () => {
    const paths = [...Object.values(expectedMapping()).flat(), ...leaves(mod.locals.helm_values).map(([p]) => p)];
    for (const p of paths) expect(schemaAt(schema, p), `Helm value ${p}`).toBeDefined();
  });

  it("renders the chart with helm_values, with the service accounts the federated credentials trust", async () => {
    const values: Record<string, unknown> = {};
    for (const [p, expression] of leaves(mod.locals.helm_values)) {
      setPath(values, p, placeholder(p, expression, schemaAt(schema, p)));
    }
    const file = path.join(dir, "tenant-values.yaml");
    writeFileSync(file, stringify(values));
    const { objects } = await render([file]);

    const name = (values.serviceAccount as { name: string }).name;
    const account = find(objects, "ServiceAccount", name);
    expect(account.metadata.annotations?.["azure.workload.identity/client-id"]).toBe(
      (values.entra as { clientId: string }).clientId,
    );
    expect(find(objects, "ServiceAccount", `${name}-hook`)).toBeDefined();

    const credential = resource("azuread_application_federated_identity_credential", "workload");
    expect(credential.for_each).toBe('${toset([var.service_account_name, "${var.service_account_name}-hook"])}');
    expect(credential.subject).toBe("system:serviceaccount:${var.kubernetes_namespace}:${each.value}");
    expect(credential.audiences).toEqual(["api://AzureADTokenExchange"]);
    expect(credential.issuer).toBe("${data.azurerm_kubernetes_cluster.hosting.oidc_issuer_url}");
    expect(mod.locals.helm_values).toMatchObject({ serviceAccount: { name: "${var.service_account_name}" } });
  });
});

/** output -> the Helm value paths it equals, derived from the module: outputs are `local.helm_values.<path>`. */
function expectedMapping(): Record<string, string[]> {
  const helmLeaves = leaves(mod.locals.helm_values);
  const mapping: Record<string, string[]> = {};
  for (const [name, bodies] of Object.entries(mod.output)) {
    const body = first(bodies, `output ${name}`);
    if (name === "helm_values" || name === "helm_values_yaml") continue;
    if (name === "catalog_clusters") {
      mapping[name] = ["catalog.content"];
      continue;
    }
    const match = HELM_LOCAL.exec(String(body.value));
    if (!match) throw new Error(`output ${name} is not one of local.helm_values`);
    const expression = helmLeaves.find(([p]) => p === match[1])?.[1];
    if (expression === undefined) throw new Error(`output ${name}: no local.helm_values.${match[1]}`);
    mapping[name] = helmLeaves
      .filter(([, value]) => JSON.stringify(value) === JSON.stringify(expression))
      .map(([p]) => p)
      .sort();
  }
  return mapping;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  $ref?: string;
  anyOf?: SchemaNode[];
  type?: string;
}

function schemaAt(schema: SchemaNode, dotted: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of dotted.split(".")) node = node?.properties?.[key];
  return node;
}

const GUID = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b";

/** A value the chart accepts where Terraform would put an id; literals from the module as they are. */
function placeholder(p: string, expression: unknown, node: SchemaNode | undefined): unknown {
  const isExpression = (value: unknown) => typeof value === "string" && value.startsWith("${");
  const isReference = Array.isArray(expression) ? expression.every(isExpression) : isExpression(expression);
  if (!isReference) return expression;
  if (expression === "${var.service_account_name}") return "aks-jit-from-terraform";
  if (expression === "${var.app_url}") return "https://jit.contoso.example";
  const refs = [node?.$ref, ...(node?.anyOf ?? []).map((n) => n.$ref)];
  if (refs.includes("#/definitions/guid") && !Array.isArray(expression)) return GUID;
  if (refs.includes("#/definitions/guidList")) return Array.isArray(expression) ? expression.map(() => GUID) : [GUID];
  throw new Error(`no placeholder for Helm value ${p} (${expression}): add one`);
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1] ?? ""] = value;
}

describe("the README's manual setup (the appendix of the same setup, by hand)", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Appendix: manual tenant setup");
  const next = readme.indexOf("\n## ", start + 1);
  const appendix = readme.slice(start, next === -1 ? undefined : next);

  it("lists exactly GRAPH_PERMISSIONS, each with when it is needed", () => {
    expect(start).toBeGreaterThan(-1);
    const whenOf = (needed: string) =>
      needed === "always"
        ? "always"
        : needed.includes("NOTIFY_MAIL_SENDER")
          ? "mail"
          : needed.includes("npm run doctor")
            ? "doctor"
            : /`(entraPimGroup|entraGroup|endSessions)`/.exec(needed)?.[1];
    const rows = [...appendix.matchAll(/^\s*\| `([\w.]+)`\s+\| (.+?)\s+\|/gm)].map(([, permission, needed]) => [
      permission,
      whenOf(needed ?? ""),
    ]);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(GRAPH_PERMISSIONS.map(({ permission, when }) => [permission, when])),
    );
  });

  it("gives the custom role PROVISIONER_ROLE for az role definition create", () => {
    const json = /```json\n([\s\S]+?)```/.exec(appendix)?.[1];
    const role = JSON.parse(json ?? "null") as { Name: string; Description: string; Actions: string[] };
    expect({ name: role.Name, description: role.Description, actions: role.Actions }).toEqual({
      name: PROVISIONER_ROLE.roleName,
      description: PROVISIONER_ROLE.description,
      actions: [...PROVISIONER_ROLE.actions],
    });
  });

  it("asks for the optional claims step-up needs", () => {
    for (const claim of REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS) expect(appendix).toContain(`\`${claim}\``);
  });
});
