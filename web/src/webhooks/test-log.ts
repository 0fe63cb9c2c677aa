// The test events sent from this tab, kept per webhook (issue 17 item 8):
// the server does not record a test (POST /api/v2/webhooks/{id}/test answers
// what the receiver did, response body included, and stores nothing), so
// the dashboard keeps the newest results in sessionStorage for the webhook's
// "Test events" log. Pure apart from the Storage passed in; unit-tested in
// tests/browser/web_unit_test.mjs.
import type { TestResult } from '../api';

export const TEST_LOG_MAX = 20; // entries per webhook
export const TEST_BODY_MAX = 8192; // characters of a response body kept (sessionStorage is small)

export interface TestLogEntry {
  at: string;
  event_type: string;
  event_id: string | null;
  delivered: boolean;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_body: string;
  truncated: boolean; // by the server's cap or by TEST_BODY_MAX
}

const key = (webhookId: string) => `switchboard.tests.${webhookId}`;

export function toEntry(result: TestResult, eventType: string, at: Date): TestLogEntry {
  const body = result.response_body ?? '';
  return {
    at: at.toISOString(),
    event_type: result.event_type ?? eventType,
    event_id: result.event_id ?? null,
    delivered: result.delivered,
    status_code: result.status_code,
    error: result.error,
    latency_ms: result.latency_ms,
    response_body: body.slice(0, TEST_BODY_MAX),
    truncated: !!result.response_body_truncated || body.length > TEST_BODY_MAX,
  };
}

export function readTestLog(storage: Pick<Storage, 'getItem'>, webhookId: string): TestLogEntry[] {
  try {
    const parsed = JSON.parse(storage.getItem(key(webhookId)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((e) => e && typeof e.at === 'string') : [];
  } catch {
    return [];
  }
}

// Newest first, at most TEST_LOG_MAX; a full storage keeps the log in memory only.
export function appendTestLog(
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  webhookId: string,
  entry: TestLogEntry,
): TestLogEntry[] {
  const next = [entry, ...readTestLog(storage, webhookId)].slice(0, TEST_LOG_MAX);
  try {
    storage.setItem(key(webhookId), JSON.stringify(next));
  } catch {
    // QuotaExceededError: the caller still shows `next`.
  }
  return next;
}
