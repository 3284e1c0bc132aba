-- AlterTable
ALTER TABLE "access_requests" ADD COLUMN     "failure_reason" TEXT;

-- CreateTable
CREATE TABLE "drift_findings" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "binding_key" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "principal_id" TEXT NOT NULL,
    "grant_id" UUID,
    "provider_id" TEXT,
    "end_at" TIMESTAMPTZ(3),
    "detected_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,
    "resolved_by_id" UUID,

    CONSTRAINT "drift_findings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "drift_findings_resolved_at_detected_at_idx" ON "drift_findings"("resolved_at", "detected_at");

-- One open finding per kind, binding and person: the reconciler updates it instead of adding another.
CREATE UNIQUE INDEX "drift_findings_open_key" ON "drift_findings"("kind", "binding_key", "principal_id") WHERE "resolved_at" IS NULL;

ALTER TABLE "drift_findings" ADD CONSTRAINT "drift_findings_kind_check" CHECK ("kind" IN ('unexplained', 'missing'));
ALTER TABLE "drift_findings" ADD CONSTRAINT "drift_findings_resolution_check" CHECK ("resolution" IS NULL OR "resolution" IN ('gone', 'removed', 'reapplied'));
