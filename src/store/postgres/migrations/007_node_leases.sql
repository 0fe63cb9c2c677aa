-- Cluster failover in seconds (issue 14 item 4): leases belong to nodes.
--
-- Each `serve` node that claims deliveries has a row here, renewed by its
-- heartbeat (every stale_after / 5) and by each of its claims. A claimed
-- delivery carries the claiming node's id in lease_owner beside lease_until,
-- so the node's one heartbeat row keeps all its leases alive (renewed in one
-- write, not per row). When a node's heartbeat is older than the bound
-- (--node-stale-after, default 10 s) the next node to beat deletes its row and
-- clears its leases (lease_until = 0, lease_owner = NULL) in the same
-- transaction: its work is claimable at once. lease_until stays the hard
-- upper bound of a lease (EngineOptions::lease), as before.
--
-- A node whose row is gone (it was stalled, not dead) rejoins under a new id
-- at its next claim or heartbeat; recording refuses results for deliveries
-- leased to another node (postgres_store_attempts.cc).
CREATE TABLE nodes (
  id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL,  -- unix ms, the node's clock
  joined_at    BIGINT NOT NULL
);

-- NULL: not leased (or leased before this migration: lease_until alone rules).
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT COLLATE "C";

-- A stale node's leases, released in one statement.
CREATE INDEX deliveries_lease_owner ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;
