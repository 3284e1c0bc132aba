-- "Approval needed" items resolve once their request is decided, cancelled or timed out: they show
-- how ("Approved by … at …") and no longer count as unread.
ALTER TABLE "notifications" ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN "resolution" TEXT;

-- Per-person channel choices, keyed by Entra object id like the in-app list; no row means mail on.
CREATE TABLE "notification_preferences" (
    "recipient_object_id" UUID NOT NULL,
    "is_email_enabled" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("recipient_object_id")
);
