/* Prisma CLI configuration: the Rust-free client and the JavaScript schema engine, so that
 * `prisma generate` and `prisma migrate` run without downloading engines. */
import path from "node:path";
import { defineConfig } from "prisma/config";
import { createMigrationAdapter } from "./prisma/migration-adapter";

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  engine: "js",
  async adapter() {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      throw new Error(
        "DATABASE_URL is not set. Run `npm run db:migrate` (it starts the embedded PostgreSQL when DATABASE_URL is unset) or export DATABASE_URL=postgresql://user:pass@host:5432/db.",
      );
    }
    return createMigrationAdapter(databaseUrl);
  },
});
