/* `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded PostgreSQL in .data/.
 * `npm run db:migrate -- --create NAME` creates a new migration from prisma/schema.prisma (development). */
import path from "node:path";
import { openDatabase, migrate } from "./lib/database";
import { BIN, ROOT } from "./lib/paths";
import { run } from "./lib/processes";

const createIndex = process.argv.indexOf("--create");
const db = await openDatabase({
  externalUrl: process.env.DATABASE_URL,
  port: Number(process.env.EMBEDDED_PG_PORT ?? 5433),
});
try {
  if (createIndex > 0) {
    const name = process.argv[createIndex + 1];
    if (!name) throw new Error("usage: npm run db:migrate -- --create <name>");
    await run(path.join(BIN, "prisma"), ["migrate", "dev", "--name", name], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });
  } else {
    console.log(await migrate(db.url));
  }
} finally {
  await db.stop();
}
