-- Audit retention (lib/audit/retention.ts, docs/decisions/006-audit-retention.md): old whole months
-- of audit history may be removed, but only together with a signed checkpoint of the last removed
-- event, so that the chain stays verifiable from there and a removal without one is refused.

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "through_seq" BIGINT NOT NULL,
    "through_hash" TEXT NOT NULL,
    "through_occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_events" BIGINT NOT NULL,
    "older_than" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "previous_id" UUID,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_checkpoints_through_seq_key" ON "audit_checkpoints"("through_seq");

-- CreateIndex
CREATE UNIQUE INDEX "audit_checkpoints_previous_id_key" ON "audit_checkpoints"("previous_id");

-- AddForeignKey
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_previous_id_fkey" FOREIGN KEY ("previous_id") REFERENCES "audit_checkpoints"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- The shapes the verifier expects: a sha256 link, a 16-hex key id, a 64-byte Ed25519 signature in
-- base64, and a segment that really lies before its cut-off.
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_well_formed" CHECK (
  "through_hash" ~ '^[0-9a-f]{64}$' AND "key_id" ~ '^[0-9a-f]{16}$' AND "signature" ~ '^[A-Za-z0-9+/]{86}==$'
  AND "through_seq" > 0 AND "removed_events" > 0 AND "through_occurred_at" < "older_than");

-- A checkpoint describes the chain as it is: it follows the latest checkpoint (one line of them, no
-- forks), moves forward, and names an event that exists with that hash and time (an event recorded
-- before the chain began counts as the genesis hash). The retention procedure always satisfies this;
-- the check keeps a hand-written INSERT from opening a gap that the verifier would only find later.
CREATE FUNCTION audit_checkpoints_check_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  latest_id UUID;
  latest_through BIGINT;
  through_event RECORD;
BEGIN
  SELECT id, through_seq INTO latest_id, latest_through FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1;
  IF NEW.previous_id IS DISTINCT FROM latest_id THEN
    RAISE EXCEPTION 'audit checkpoint % must follow the latest checkpoint (%)', NEW.id, coalesce(latest_id::text, 'none')
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.through_seq <= latest_through THEN
    RAISE EXCEPTION 'audit checkpoint % must move past seq %', NEW.id, latest_through USING ERRCODE = 'check_violation';
  END IF;
  SELECT hash, occurred_at INTO through_event FROM audit_events WHERE seq = NEW.through_seq;
  IF NOT FOUND OR coalesce(through_event.hash, repeat('0', 64)) <> NEW.through_hash
     OR through_event.occurred_at <> NEW.through_occurred_at THEN
    RAISE EXCEPTION 'audit checkpoint % does not match event seq %', NEW.id, NEW.through_seq
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_checkpoints_check_insert
  BEFORE INSERT ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_check_insert();

-- Checkpoints are evidence too: never changed or removed.
CREATE FUNCTION audit_checkpoints_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit checkpoints are never updated or deleted.';
END;
$$;

CREATE TRIGGER audit_checkpoints_append_only
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_reject_change();

CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_reject_change();

-- audit_events stays append-only, with one exception: a DELETE of events at or before the
-- through_seq of a checkpoint inserted by the same transaction. "The same transaction" is the
-- checkpoint row's xmin (the id of the transaction that inserted it) equal to the current one:
-- nothing a client can set (unlike a session setting), and it ties the removal to its checkpoint
-- atomically, so that no event is ever gone without the record of its removal. (The procedure must
-- insert the checkpoint outside a savepoint, whose rows carry the subtransaction's id. After
-- transaction-id wraparound an old checkpoint's xmin may match again; it then only covers events
-- that were removed long ago.) Anyone who may insert a checkpoint can therefore delete; what makes
-- that safe is its signature, which the verifier checks with the auditors' public key.
-- UPDATE stays refused always; TRUNCATE keeps its own trigger from the first migration.
CREATE FUNCTION audit_events_reject_change_unless_retained() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM audit_checkpoints c WHERE c.xmin = pg_current_xact_id()::xid AND OLD.seq <= c.through_seq
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events are never updated; old months are removed only by `npm run audit:retain`, which records a signed checkpoint in the same transaction.';
END;
$$;

DROP TRIGGER "audit_events_append_only" ON "audit_events";
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change_unless_retained();
