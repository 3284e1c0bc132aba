// @ts-check
/**
 * Which code may import which (`npm run lint` runs `depcruise`). ESLint's import/no-cycle skips
 * `import type`, and most of our cycles were type-only, so the cycle and layer rules live here, where
 * type-only imports count (tsPreCompilationDeps).
 *
 * Layers, from the top; each imports only from its own layer and the ones below it:
 *   edges        app/, components/, proxy.ts, instrumentation.ts   what a person or a request reaches
 *   composition  lib/ops/, lib/jobs/start-jobs.ts, lib/doctor/      start processes, wire jobs to handlers, run tools
 *   features     lib/access/, lib/activity/, lib/api/, lib/notify/, lib/posture/, lib/audit/ (read side), lib/jobs/failed-jobs.ts, lib/form-action.ts
 *                                                                   use cases, read models, the API's and forms' helpers
 *   services     lib/auth/, lib/cloud/, lib/jobs/ (queues), lib/limits/, lib/http/, lib/metrics/, lib/schemas/,
 *                lib/context.ts, the audit writer (lib/audit/{events,event-types,record-audit-event,chain,provider-calls}.ts)
 *                                                                   what every use case needs, knowing none of them
 *   base         lib/db/, lib/config/, lib/validation/, lib/errors.ts, lib/log.ts, lib/forms.ts, lib/with-timeout.ts
 *   domain       lib/domain/                                        pure rules: zod and nothing else
 * emulator/, scripts/, test/, e2e/ are separate programs: the app never imports them, and they may
 * import the app; the cycle rule covers them too.
 */

const AUDIT_WRITER = "^lib/audit/(events|event-types|record-audit-event|chain|provider-calls)\\.ts$";
const COMPOSITION = ["^lib/ops/", "^lib/jobs/start-jobs\\.ts$", "^lib/doctor/"];
const FEATURES = [
  "^lib/access/",
  // its summary schema and KQL (types.ts, kql.ts) are pure, below every layer: the evidence pack's schema names them
  "^lib/activity/(?!(types|kql)\\.ts$)",
  "^lib/api/",
  "^lib/notify/",
  "^lib/posture/",
  "^lib/jobs/failed-jobs\\.ts$",
  "^lib/form-action\\.ts$",
];
const AUDIT = "^lib/audit/";
const SERVICES = [
  "^lib/auth/",
  "^lib/cloud/",
  "^lib/jobs/",
  "^lib/limits/",
  "^lib/http/",
  "^lib/metrics/",
  "^lib/schemas/",
  "^lib/context\\.ts$",
];
const BASE = ["^lib/db/", "^lib/config/", "^lib/validation/", "^lib/(errors|log|forms|with-timeout)\\.ts$"];
const EDGES = ["^app/", "^components/", "^(proxy|instrumentation)\\.ts$"];
const PROGRAMS = ["^emulator/", "^scripts/", "^test/", "^e2e/"];

/** @type {import("dependency-cruiser").IConfiguration} */
const config = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "A cycle means two modules are one: neither can be read, tested or moved alone, and a value cycle can see the other half undefined at start-up. Move the shared piece below both.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-is-pure",
      comment:
        "lib/domain holds the rules (state machine, policy, durations) as pure functions: no database, SDK, framework, clock or app module, so they are tested and read alone.",
      severity: "error",
      from: { path: "^lib/domain/", pathNot: "\\.test\\.ts$" },
      to: { pathNot: ["^lib/domain/", "^node_modules/zod/"] },
    },
    {
      name: "base-imports-only-base",
      comment:
        "Database, configuration, validation, errors and logging are below every feature: importing one upward would let a change of a feature break start-up.",
      severity: "error",
      from: { path: BASE },
      to: { path: "^lib/", pathNot: [...BASE, "^lib/domain/"] },
    },
    {
      name: "services-import-no-feature",
      comment:
        "Sign-in, the cloud adapters, queues, limits and the audit writer serve every use case, so they know none: a use case calls them, never the other way round.",
      severity: "error",
      from: { path: [...SERVICES, AUDIT_WRITER], pathNot: [...FEATURES, ...COMPOSITION] },
      to: { path: [...FEATURES, ...COMPOSITION, AUDIT], pathNot: AUDIT_WRITER },
    },
    {
      name: "cloud-records-use-cases-audit",
      comment:
        "lib/cloud talks to Graph and ARM and records the calls it made; the use case that asked decides what to audit, in its own transaction (lib/audit/provider-calls.ts).",
      severity: "error",
      from: { path: "^lib/cloud/" },
      to: {
        path: ["^lib/(audit|auth|access|notify|jobs|limits|http|api|schemas)/", "^lib/context\\.ts$"],
      },
    },
    {
      name: "features-import-no-composition",
      comment:
        "Processes and the job wiring are put together from the features, at the top; a feature never starts them.",
      severity: "error",
      from: { path: [...FEATURES, AUDIT] },
      to: { path: COMPOSITION },
    },
    {
      name: "api-is-an-edge",
      comment:
        "lib/api is the JSON API's plumbing (bearer tokens, error shapes, routes' input), used by app/api only; anything others need moves below it (lib/auth, lib/http).",
      severity: "error",
      from: { path: "^lib/", pathNot: "^lib/api/" },
      to: { path: "^lib/api/" },
    },
    {
      name: "lib-is-below-the-edges",
      comment: "Pages, route handlers and components call lib/, never the reverse: lib/ runs in jobs and scripts too.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: EDGES },
    },
    {
      name: "components-below-app",
      comment:
        "Shared components are used by routes; a component that needs a route's code belongs in that route's _components/.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^app/" },
    },
    {
      name: "app-does-not-import-programs",
      comment: "The emulator, scripts and tests are not shipped: the app must not need them to build or run.",
      severity: "error",
      from: { path: [...EDGES, "^lib/"] },
      to: { path: PROGRAMS },
    },
  ],
  options: {
    // read as leaves, so that a rule can still name them
    doNotFollow: { path: ["^node_modules/", "^lib/db/generated/"] },
    exclude: { path: "^(\\.next|\\.data|test-results|playwright-report)/" },
    // type-only imports count: a type-only cycle is still two modules that cannot be read apart
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};

export default config;
