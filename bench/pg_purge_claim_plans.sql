-- The purge and claim plans of docs/benchmarks.md (issue 15): a realistic table, then
-- EXPLAIN (ANALYZE, BUFFERS) of the store's purge and claim SQL, each rolled back. Run on an
-- empty database migrated through 013 (psql -f of src/store/postgres/migrations/*.sql in order):
--   psql URL -v ON_ERROR_STOP=1 -f bench/pg_purge_claim_plans.sql
-- 200,000 events of one company over 40 days (1 every ~17 s), 3 per call;
-- one delivery each to an active webhook: 90 % delivered, 8 % exhausted
-- (10 failed attempts each), 2 % pending (the newest, inside their window).
\set now 1796000000000
INSERT INTO companies (id, name, managers_can_manage_webhooks, created_at) VALUES ('cmp_1', 'Acme', false, 1);
INSERT INTO companies (id, name, managers_can_manage_webhooks, created_at) SELECT 'cmp_' || g, 'C', false, 1 FROM generate_series(2, 50) g;
INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, status, consecutive_exhausted, created_at, updated_at)
VALUES ('wh_1', 'cmp_1', 'n', '', 'https://example.com/h', '{"type":"none"}', '[]', '["call"]', '{}', 'active', 0, 1, 1);
INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, direction, department_id, agent_id, payload)
SELECT 'evt_' || lpad(g::text, 26, '0'), 'cmp_1', 'call.answered', (g % 3) + 1, 'call:' || (g / 3),
       :now - (200000 - g)::bigint * 17280, :now - (200000 - g)::bigint * 17280, 'inbound', 'dep', 'agt', repeat('x', 500)
  FROM generate_series(1, 200000) g;
INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, ordering_key, sequence, state, attempts,
                        event_time, next_attempt_at, lease_until, blocked, paused, last_status_code, last_error, created_at, updated_at)
SELECT 'dlv_' || lpad(g::text, 26, '0'), 'cmp_1', 'wh_1', 'evt_' || lpad(g::text, 26, '0'), 'call.answered', 'call:' || (g / 3), (g % 3) + 1,
       CASE WHEN g > 196000 THEN 'pending' WHEN g % 12 = 0 THEN 'exhausted' ELSE 'delivered' END,
       CASE WHEN g % 12 = 0 THEN 10 ELSE 1 END,
       :now - (200000 - g)::bigint * 17280,
       CASE WHEN g > 196000 THEN :now + (g - 196000)::bigint * 1000 ELSE NULL END, 0,
       g > 196000 AND g % 3 <> 0, false, 500, '', :now - (200000 - g)::bigint * 17280, :now - (200000 - g)::bigint * 17280
  FROM generate_series(1, 200000) g;
INSERT INTO delivery_requests (delivery_id, url, headers)
SELECT 'dlv_' || lpad(g::text, 26, '0'), 'https://example.com/h', '[["Content-Type","application/json"]]'
  FROM generate_series(12, 196000, 12) g;
INSERT INTO attempts (id, webhook_id, delivery_id, attempt, at, status_code, error, error_message, latency_us,
                      request_url, request_headers, request_body, response_headers, response_body)
SELECT 'att_' || lpad(g::text, 22, '0') || lpad(a::text, 4, '0'), 'wh_1', 'dlv_' || lpad(g::text, 26, '0'), a,
       :now - (200000 - g)::bigint * 17280 + a::bigint * 1000, 500, 1, NULL, 3500, NULL, '{"3":"1"}', NULL, '[]', 'oops'
  FROM generate_series(12, 196000, 12) g, generate_series(1, 10) a;
VACUUM ANALYZE;

BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
DELETE FROM events WHERE id IN (
SELECT e.id FROM events e WHERE e.company_id = 'cmp_1' AND e.created_at < :now - 2592000000::bigint
AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending' AND d.event_time > :now - 86400000::bigint)
AND NOT EXISTS (SELECT 1 FROM v1_deliveries v WHERE v.event_id = e.id AND v.state = 'pending')
ORDER BY e.created_at LIMIT 500 FOR UPDATE SKIP LOCKED);
ROLLBACK;
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH picked AS (
SELECT d.id, greatest(d.next_attempt_at, d.lease_until) AS ready_at FROM deliveries d
WHERE d.state = 'pending' AND NOT d.blocked AND NOT d.paused
AND greatest(d.next_attempt_at, d.lease_until) <= :now + 10000000::bigint
AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active') AND
(d.ordering_key = '' OR (
NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = d.webhook_id
AND p.ordering_key = d.ordering_key AND p.state = 'pending' AND (p.sequence, p.id) < (d.sequence, d.id))
AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = d.webhook_id
AND p.ordering_key = d.ordering_key AND p.state = 'pending' AND p.lease_until <> 0
AND p.lease_until > :now::bigint AND p.id <> d.id)))
ORDER BY greatest(d.next_attempt_at, d.lease_until) LIMIT 100 FOR UPDATE OF d SKIP LOCKED)
UPDATE deliveries d SET lease_until = :now + 60000::bigint, lease_owner = 'node_1' FROM picked, events e
WHERE d.id = picked.id AND e.id = d.event_id
RETURNING d.id, e.payload, picked.ready_at;
ROLLBACK;
