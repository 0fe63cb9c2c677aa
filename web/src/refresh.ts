// How often a self-refreshing list asks the server again. A list whose
// answer did not change waits twice as long each time, up to a ceiling, and
// comes back to the shortest wait as soon as something changed (or the page
// says it did, e.g. the live call stream). Pure; unit-tested in
// tests/browser/web_unit_test.mjs.

export interface RefreshPolicy {
  minMs: number;
  maxMs: number;
}

// The webhook logs: every 3 s while shown (new attempts appear at once).
export const FIXED_3S: RefreshPolicy = { minMs: 3000, maxMs: 3000 };

// Recent calls: each refresh makes the server order up to 20,000 call events
// (by their index, then it folds only the page's),
// so an unchanged list backs off 3 s → 6 → 12 → 24 → 48 → 60 s; the live
// stream asks for a refresh when a call changes.
export const CALLS_BACKOFF: RefreshPolicy = { minMs: 3000, maxMs: 60000 };

export function nextRefreshMs(previousMs: number | null, changed: boolean, policy: RefreshPolicy): number {
  if (changed || previousMs === null) return policy.minMs;
  return Math.min(policy.maxMs, Math.max(policy.minMs, previousMs * 2));
}

// Requests made in `spanMs` by a list that never changes (the first at 0).
export function requestsIn(spanMs: number, policy: RefreshPolicy): number {
  let at = 0;
  let wait: number | null = null;
  let n = 0;
  while (at <= spanMs) {
    n += 1;
    wait = nextRefreshMs(wait, false, policy);
    at += wait;
  }
  return n;
}
