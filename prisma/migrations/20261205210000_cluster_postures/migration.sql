-- Each catalog cluster's latest posture check (lib/posture/): facts read through ARM, findings,
-- standing access that bypasses JIT. The history of changes is in the audit (posture.changed).
CREATE TABLE "cluster_postures" (
    "cluster_name" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "facts" JSONB,
    "findings" JSONB NOT NULL DEFAULT '[]',
    "standing" JSONB,
    "error" TEXT,
    CONSTRAINT "cluster_postures_pkey" PRIMARY KEY ("cluster_name")
);
