-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "correlation_id" TEXT,
ADD COLUMN     "request_id" UUID;

-- CreateTable
CREATE TABLE "access_requests" (
    "id" UUID NOT NULL,
    "requester_id" UUID NOT NULL,
    "cluster_name" TEXT NOT NULL,
    "role_name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "justification" TEXT NOT NULL,
    "ticket" TEXT,
    "start_at" TIMESTAMPTZ(3),
    "is_break_glass" BOOLEAN NOT NULL DEFAULT false,
    "approvals_required" INTEGER NOT NULL,
    "pending_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "policy" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "access_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decisions" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "decider_id" UUID NOT NULL,
    "outcome" TEXT NOT NULL,
    "comment" TEXT,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_requests_status_pending_expires_at_idx" ON "access_requests"("status", "pending_expires_at");

-- CreateIndex
CREATE INDEX "access_requests_requester_id_created_at_idx" ON "access_requests"("requester_id", "created_at");

-- CreateIndex
CREATE INDEX "access_requests_cluster_name_role_name_created_at_idx" ON "access_requests"("cluster_name", "role_name", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "decisions_request_id_decider_id_key" ON "decisions"("request_id", "decider_id");

-- CreateIndex
CREATE INDEX "audit_events_request_id_seq_idx" ON "audit_events"("request_id", "seq");

-- AddForeignKey
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "access_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_decider_id_fkey" FOREIGN KEY ("decider_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The statuses of lib/domain/request-state.ts and the outcomes of a decision: nothing else may be stored.
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_status_check" CHECK ("status" IN (
  'pending', 'approved', 'scheduled', 'activating', 'active', 'expired', 'deactivated', 'revoked',
  'denied', 'cancelled', 'timed_out', 'failed'));
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_outcome_check" CHECK ("outcome" IN ('approve', 'deny'));
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_duration_check" CHECK ("duration_minutes" > 0);
