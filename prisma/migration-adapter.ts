/**
 * The driver adapter the Prisma CLI uses to run migrations through its JavaScript schema engine
 * (engine "js"), so that no Rust engine has to be downloaded. Used by prisma.config.ts only.
 *
 * It works around three defects of @prisma/adapter-pg 6.19 in the migration path
 * (see docs/decisions/001-embedded-postgresql.md):
 *  1. the schema engine introspects pg_catalog columns of type `name` (OID 19) and `"char"`
 *     (OID 18), which the adapter cannot map. `name` is reported as text; `"char"` must reach the
 *     engine as a Character column (as text, the engine panics with "RuntimeError: unreachable"
 *     as soon as the database has a table, which breaks `migrate dev` and `migrate diff`);
 *  2. its shadow database is dropped while its own pool is still connected, and built from a
 *     connection string that overrides the database name: we build it ourselves;
 *  3. it runs a migration script by splitting it on every ";", which cuts PL/pgSQL function
 *     bodies (and comments) apart: we send the script whole, as one simple query, which
 *     PostgreSQL runs as a single implicit transaction.
 */
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

const OID = { CHAR: 18, NAME: 19, TEXT: 25 } as const;

type QueryResultLike = { fields?: { dataTypeID: number }[]; rows?: unknown[] } | undefined;
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw">;

/** Result rows that hold `"char"` columns, and which: read back when the adapter builds its result set. */
const charColumnsByRows = new WeakMap<object, number[]>();

function mapCatalogTypes(result: QueryResultLike) {
  const charColumns: number[] = [];
  result?.fields?.forEach((field, index) => {
    if (field.dataTypeID === OID.CHAR) charColumns.push(index);
    if (field.dataTypeID === OID.CHAR || field.dataTypeID === OID.NAME) field.dataTypeID = OID.TEXT;
  });
  if (charColumns.length > 0 && result?.rows) charColumnsByRows.set(result.rows, charColumns);
  return result;
}

let isPatched = false;
function patchPgQuery() {
  if (isPatched) return;
  isPatched = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function patchedQuery(this: pg.Client, ...args: unknown[]) {
    // The pool calls the callback form; direct users call the promise form. Handle both.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (err: unknown, result: QueryResultLike) =>
        (callback as (e: unknown, r: unknown) => void)(err, mapCatalogTypes(result));
      return original.apply(this, args);
    }
    const returned = original.apply(this, args);
    if (returned && typeof (returned as Promise<unknown>).then === "function") {
      return (returned as Promise<QueryResultLike>).then(mapCatalogTypes);
    }
    return returned;
  } as typeof pg.Client.prototype.query;
}

function reportCharColumns<T extends Queryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const index of charColumnsByRows.get(resultSet.rows) ?? []) {
      resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    }
    return resultSet;
  };
  return queryable;
}

function fixAdapter(adapter: Adapter): Adapter {
  reportCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => reportCharColumns(await startTransaction(...args));
  const internals = adapter as unknown as { client: pg.Pool; onError(error: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await internals.client.query(script);
    } catch (error) {
      internals.onError(error);
    }
  };
  return adapter;
}

function poolConfigFromUrl(databaseUrl: string): pg.PoolConfig {
  const url = new URL(databaseUrl);
  const sslmode = url.searchParams.get("sslmode");
  return {
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres",
    ssl: sslmode && sslmode !== "disable" ? { rejectUnauthorized: sslmode === "verify-full" } : undefined,
  };
}

async function runAsAdmin(config: pg.PoolConfig, sql: string) {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

class MigrationPrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  override async connect() {
    return fixAdapter(await super.connect());
  }

  override async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${crypto.randomUUID().replaceAll("-", "")}`;
    await runAsAdmin(this.poolConfig, `CREATE DATABASE "${database}"`);
    const adapter = fixAdapter(await new PrismaPg({ ...this.poolConfig, database }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await runAsAdmin(this.poolConfig, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };
    return adapter;
  }
}

export function createMigrationAdapter(databaseUrl: string) {
  patchPgQuery();
  return new MigrationPrismaPg(poolConfigFromUrl(databaseUrl));
}
