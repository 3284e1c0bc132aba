-- AlterTable
ALTER TABLE "access_requests" ADD COLUMN     "active_from" TIMESTAMPTZ(3),
ADD COLUMN     "active_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "grants" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "binding_key" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "end_at" TIMESTAMPTZ(3) NOT NULL,
    "applied_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grant_coverage" (
    "request_id" UUID NOT NULL,
    "grant_id" UUID NOT NULL,
    "end_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "grant_coverage_pkey" PRIMARY KEY ("request_id","grant_id")
);

-- CreateIndex
CREATE INDEX "grants_status_end_at_idx" ON "grants"("status", "end_at");

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant_coverage" ADD CONSTRAINT "grant_coverage_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "access_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grant_coverage" ADD CONSTRAINT "grant_coverage_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "grants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One current grant per person and binding: two activations at once cannot both create one.
CREATE UNIQUE INDEX "grants_current_key" ON "grants"("user_id", "binding_key") WHERE "status" = 'active';
ALTER TABLE "grants" ADD CONSTRAINT "grants_status_check" CHECK ("status" IN ('active', 'ended'));
