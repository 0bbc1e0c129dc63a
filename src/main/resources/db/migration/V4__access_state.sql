-- The desired state of every tuple the service writes to OpenFGA, per object (docs/adr/0005).
--
-- Before this version only a document's pending grants were kept (acl_outbox), and folder and group
-- tuples went straight to OpenFGA: nothing could tell a lost or stale OpenFGA tuple from an intended
-- one, and two workers could apply two versions of one document in either order.

-- One row per OpenFGA object the service manages: document:<tenant>/<id>, folder:<tenant>/<id>,
-- group:<tenant>/<id>. It is the unit of work of the sync (one writer at a time, by lease) and the
-- fence: a sync of a version that is no longer current never marks anything synced.
CREATE TABLE access_objects (
    object          text        PRIMARY KEY,
    tenant          text        NOT NULL,
    -- Every change of the object's desired tuples takes a new value of acl_version_seq.
    version         bigint      NOT NULL,
    -- OpenFGA held exactly the desired tuples of this version when it was last synced.
    synced_version  bigint      NOT NULL DEFAULT 0,
    -- Desired tuples unknown (objects written before this schema): the next sync records the tuples
    -- OpenFGA holds as the desired state instead of changing OpenFGA.
    adopt           boolean     NOT NULL DEFAULT false,
    -- The one worker allowed to write this object's tuples, until lease_until. A worker whose write
    -- had an unknown outcome (timeout, 5xx) keeps the lease until it expires, so no other worker
    -- reads and writes the object while that write may still land.
    lease_owner     uuid,
    lease_until     timestamptz,
    -- Consecutive attempts OpenFGA refused as invalid; at the limit the object is parked.
    rejections      integer     NOT NULL DEFAULT 0,
    failures        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    parked_at       timestamptz,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_objects_pending ON access_objects (next_attempt_at)
    WHERE synced_version < version AND parked_at IS NULL;
CREATE INDEX access_objects_tenant ON access_objects (tenant, object);

-- The tuples each object must have in OpenFGA (ids as stored in OpenFGA, tenant-scoped).
CREATE TABLE desired_tuples (
    object     text NOT NULL REFERENCES access_objects (object) ON DELETE CASCADE,
    relation   text NOT NULL,
    subject    text NOT NULL,
    -- Who asked for the tuple through the relationships API (e.g. an ingest job), so that a writer
    -- can reconcile its own tuples against what the service holds.
    managed_by text,
    PRIMARY KEY (object, relation, subject)
);
CREATE INDEX desired_tuples_managed_by ON desired_tuples (managed_by) WHERE managed_by IS NOT NULL;

-- Existing documents: their synced grants were never recorded, so they are adopted from OpenFGA.
INSERT INTO access_objects (object, tenant, version, synced_version, adopt)
SELECT 'document:' || tenant || '/' || id, tenant, acl_version, acl_synced_version,
       acl_synced_version >= acl_version
FROM documents;

-- Pending outbox entries: the newest per document is its desired state (also for deleted documents,
-- whose newest entry asks for no tuples).
CREATE TEMPORARY TABLE newest_outbox AS
SELECT DISTINCT ON (tenant, document_id) tenant, document_id, acl_version, desired
FROM acl_outbox ORDER BY tenant, document_id, acl_version DESC;

INSERT INTO access_objects (object, tenant, version, synced_version, adopt)
SELECT 'document:' || tenant || '/' || document_id, tenant, acl_version, 0, false FROM newest_outbox
ON CONFLICT (object) DO UPDATE SET version = EXCLUDED.version, adopt = false;

INSERT INTO desired_tuples (object, relation, subject)
SELECT DISTINCT t.object, t.relation, t."user"
FROM newest_outbox n, jsonb_to_recordset(n.desired) AS t("user" text, relation text, object text)
ON CONFLICT DO NOTHING;

DROP TABLE newest_outbox;
DROP TABLE acl_outbox;

-- Folder and group tuples written before this schema exist only in OpenFGA. When there is any
-- earlier data, the first reconciliation adopts the tuples of objects it does not know.
CREATE TABLE access_adoption (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    pending   boolean NOT NULL
);
INSERT INTO access_adoption (pending)
SELECT EXISTS (SELECT 1 FROM documents) OR EXISTS (SELECT 1 FROM access_changes);

-- The OpenFGA store this deployment uses, when the service creates it itself. Store names are not
-- unique in OpenFGA: replicas starting at once against an empty server must agree on one store.
CREATE TABLE fga_store (
    name       text        PRIMARY KEY,
    api_url    text        NOT NULL,
    store_id   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Drift the reconciler found and repaired (also counted in metrics), for operators and audits.
CREATE TABLE access_drift (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    tenant   text,
    kind     text NOT NULL,
    object   text NOT NULL,
    relation text NOT NULL,
    subject  text NOT NULL
);
CREATE INDEX access_drift_tenant_at ON access_drift (tenant, at DESC);
