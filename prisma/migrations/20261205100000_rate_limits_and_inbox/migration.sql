-- Approvals inbox from an index: the policy's approver groups as a column, so that the inbox selects
-- the pending requests routed to the viewer's groups in SQL (GIN, `&&`) instead of reading a capped
-- batch of every group's and filtering in memory.
ALTER TABLE "access_requests" ADD COLUMN     "approver_group_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];

UPDATE "access_requests"
SET "approver_group_ids" = ARRAY(SELECT jsonb_array_elements_text("policy" -> 'approverGroupIds'))
WHERE jsonb_typeof("policy" -> 'approverGroupIds') = 'array';

-- Rate-limit counters shared by every replica: the table rate-limiter-flexible's RateLimiterPostgres
-- would create at runtime (it is told `tableCreated: true`), created here so that the app needs no DDL rights.
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "access_requests_approver_group_ids_idx" ON "access_requests" USING GIN ("approver_group_ids");

-- CreateIndex
CREATE INDEX "access_requests_status_created_at_idx" ON "access_requests"("status", "created_at");
