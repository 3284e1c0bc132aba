import { describe, expect, it } from "vitest";
import { parseAuditEnv, parseEnv, parseEnvForBuild, parseMigrateEnv } from "./env-schema.js";

const valid = {
  APP_URL: "http://localhost:3000",
  DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/aks_jit",
  SESSION_SECRET: "s".repeat(48),
  ENTRA_TENANT_ID: "95edb77e-5eb1-4bd1-9425-ed3e1d470032",
  ENTRA_CLIENT_ID: "787dcaa2-d3d9-4ced-afa2-f15531341a9c",
  ENTRA_CLIENT_SECRET: "secret",
};

describe("configuration", () => {
  it("applies production defaults for Entra ID and Graph", () => {
    expect(parseEnv(valid)).toMatchObject({
      ENTRA_AUTHORITY_HOST: "https://login.microsoftonline.com",
      GRAPH_BASE_URL: "https://graph.microsoft.com",
      SESSION_IDLE_MINUTES: 30,
      SESSION_ABSOLUTE_HOURS: 8,
      ROLE_FRESHNESS_SECONDS: 60,
      APPROVER_GROUP_IDS: [],
    });
  });

  it("reads comma-separated group ids, trimmed and lower-cased", () => {
    const env = parseEnv({
      ...valid,
      APPROVER_GROUP_IDS: " 09ECF0D7-9504-4f6c-b557-71f30e9759bf , 3ecc833e-183f-465d-9f69-9b4e2ad22ec5",
    });
    expect(env.APPROVER_GROUP_IDS).toEqual([
      "09ecf0d7-9504-4f6c-b557-71f30e9759bf",
      "3ecc833e-183f-465d-9f69-9b4e2ad22ec5",
    ]);
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ ...valid, LOG_LEVEL: "" }).LOG_LEVEL).toBe("info");
  });

  it.each([
    ["SESSION_SECRET", { SESSION_SECRET: "short" }, "SESSION_SECRET: must be at least 32 characters"],
    ["ENTRA_TENANT_ID", { ENTRA_TENANT_ID: "contoso" }, "ENTRA_TENANT_ID: must be your Entra tenant id"],
    ["APP_URL over http off localhost", { APP_URL: "http://jit.contoso.com" }, "APP_URL: must use https://"],
    [
      "an http authority",
      { ENTRA_AUTHORITY_HOST: "http://localhost:8443" },
      "ENTRA_AUTHORITY_HOST: must be an https:// URL",
    ],
    ["a malformed group id", { AUDITOR_GROUP_IDS: "auditors" }, "AUDITOR_GROUP_IDS.0: must be a comma-separated list"],
    ["a missing DATABASE_URL", { DATABASE_URL: undefined }, "DATABASE_URL"],
    ["a retention of no months", { AUDIT_RETENTION_MONTHS: "0" }, "AUDIT_RETENTION_MONTHS"],
    ["a role freshness over an hour", { ROLE_FRESHNESS_SECONDS: "3601" }, "ROLE_FRESHNESS_SECONDS"],
  ])("refuses %s and names it", (_case, override, message) => {
    expect(() => parseEnv({ ...valid, ...override })).toThrow(message);
  });

  describe("credential: a client secret or Entra Workload ID, exactly one", () => {
    const { ENTRA_CLIENT_SECRET: _secret, ...secretless } = valid;
    const workloadId = {
      ...secretless,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_CLIENT_ID: valid.ENTRA_CLIENT_ID.toUpperCase(),
      AZURE_TENANT_ID: valid.ENTRA_TENANT_ID,
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    };

    it("runs with Workload ID and no secret", () => {
      const env = parseEnv(workloadId);
      expect(env.ENTRA_CLIENT_SECRET).toBeUndefined();
      expect(env).toMatchObject({
        AZURE_FEDERATED_TOKEN_FILE: workloadId.AZURE_FEDERATED_TOKEN_FILE,
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com",
      });
    });

    it.each([
      [
        "neither a secret nor a token file",
        secretless,
        "ENTRA_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE: neither is set",
      ],
      ["an empty secret and no token file", { ...secretless, ENTRA_CLIENT_SECRET: "" }, "neither is set"],
      [
        "both a secret and a token file",
        { ...workloadId, ENTRA_CLIENT_SECRET: "secret" },
        "ENTRA_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE: both are set",
      ],
      [
        "a token file without AZURE_CLIENT_ID",
        { ...workloadId, AZURE_CLIENT_ID: undefined },
        "AZURE_CLIENT_ID: is required with AZURE_FEDERATED_TOKEN_FILE",
      ],
      [
        "a token file without AZURE_TENANT_ID",
        { ...workloadId, AZURE_TENANT_ID: undefined },
        "AZURE_TENANT_ID: is required with AZURE_FEDERATED_TOKEN_FILE",
      ],
      [
        "another app's client id",
        { ...workloadId, AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000001" },
        "AZURE_CLIENT_ID: must equal ENTRA_CLIENT_ID",
      ],
      [
        "another tenant",
        { ...workloadId, AZURE_TENANT_ID: "00000000-0000-4000-8000-000000000002" },
        "AZURE_TENANT_ID: must equal ENTRA_TENANT_ID",
      ],
      [
        "another cloud",
        { ...workloadId, AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us" },
        "AZURE_AUTHORITY_HOST: must equal ENTRA_AUTHORITY_HOST",
      ],
    ])("refuses %s and names the variables", (_case, source, message) => {
      expect(() => parseEnv(source)).toThrow(message);
    });

    it("lists a credential problem with the other problems", () => {
      expect(() => parseEnv({ ...secretless, SESSION_SECRET: "short" })).toThrow(
        /SESSION_SECRET: must be at least 32 characters[^]*ENTRA_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE: neither is set/,
      );
    });
  });

  it("reads named notification webhooks, and notifies 15 minutes before access ends by default", () => {
    const env = parseEnv({
      ...valid,
      NOTIFY_WEBHOOKS:
        "platform=https://contoso.webhook.office.com/x?a=1&b=2, oncall=https://hooks.slack.com/services/T/B/C",
    });
    expect(env.NOTIFY_WEBHOOKS).toEqual({
      platform: "https://contoso.webhook.office.com/x?a=1&b=2",
      oncall: "https://hooks.slack.com/services/T/B/C",
    });
    expect(env.NOTIFY_ENDING_SOON_MINUTES).toBe(15);
    expect(env.NOTIFY_MAIL_SENDER).toBeUndefined();
    expect(parseEnv(valid).NOTIFY_WEBHOOKS).toEqual({});
  });

  it.each([
    ["a webhook without a name", "https://hooks.slack.com/services/T/B/C", "each entry must be name=url"],
    ["a plain-http webhook off localhost", "ops=http://hooks.example.com/x", 'webhook "ops" must be an https:// URL'],
    ["a webhook named twice", "ops=https://a.example.com,ops=https://b.example.com", 'webhook "ops" is named twice'],
  ])("refuses %s without printing its URL", (_case, value, message) => {
    let error: unknown;
    try {
      parseEnv({ ...valid, NOTIFY_WEBHOOKS: value });
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toContain(message);
    expect(String(error)).not.toContain("example.com");
    expect(String(error)).not.toContain("hooks.slack.com");
  });

  it("reads the audit commands' settings alone, without the app's", () => {
    expect(parseAuditEnv({ AUDIT_SIGNING_KEY_FILE: "/run/secrets/audit.pem", AUDIT_RETENTION_MONTHS: "24" })).toEqual({
      AUDIT_SIGNING_KEY_FILE: "/run/secrets/audit.pem",
      AUDIT_RETENTION_MONTHS: 24,
    });
    expect(parseAuditEnv({ AUDIT_VERIFY_KEY_FILE: "" })).toEqual({});
    expect(() => parseAuditEnv({ AUDIT_RETENTION_MONTHS: "a year" })).toThrow("AUDIT_RETENTION_MONTHS");
  });

  it("builds without any setting: defaults apply, required ones stay unset for the start-up check", () => {
    const env = parseEnvForBuild({ JOBS_IN_WEB: "false", ENTRA_TENANT_ID: "not-a-guid" });
    expect(env).toMatchObject({ JOBS_IN_WEB: false, OPS_PORT: 9464, NOTIFY_WEBHOOKS: {}, LOG_LEVEL: "info" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ENTRA_TENANT_ID).toBeUndefined();
    expect(() => parseEnv({ ...valid, ENTRA_TENANT_ID: "not-a-guid" })).toThrow(
      /ENTRA_TENANT_ID: must be your Entra tenant id/,
    );
  });

  it("migrates with only the database and the job settings", () => {
    expect(parseMigrateEnv({ DATABASE_URL: valid.DATABASE_URL })).toEqual({
      DATABASE_URL: valid.DATABASE_URL,
      JOB_RETRY_LIMIT: 5,
      JOB_RETRY_DELAY_SECONDS: 5,
      JOB_TIMEOUT_SECONDS: 300,
    });
    expect(() => parseMigrateEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql/);
  });
});
