// What is true about a delivery and a webhook, in an admin's words (issue 17
// item 5): a delivery held behind an earlier event of its call says so
// (not "pending · 0 attempts · next attempt <a past time>"), a retry says
// which of how many and when ("Retry 5 of 26 at 11:06"), a webhook answering
// errors says since when ("Failing since 10:42"), and a Failed webhook never
// reads as "pending just now". Pure functions of the API's fields and `now`:
// no DOM, no requests (tests/browser/web_unit_test.mjs).
import { outcomeLabel } from '../attempt-errors';

export type Tone = 'ok' | 'wait' | 'bad' | 'off';

export interface StateText {
  label: string; // short, for the pill
  detail: string; // the sentence beside it ('' when the label says it all)
  tone: Tone;
}

// The fields read here (v2 deliveries; older servers leave the new ones out).
export interface DeliveryFacts {
  state: string;
  attempts: number;
  max_attempts?: number;
  waiting_for_earlier?: boolean;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  updated_at: string;
}

export interface WebhookFacts {
  status: 'active' | 'inactive' | 'failed';
  disabled_reason?: string | null;
  failing_since?: string | null;
  updated_at: string;
}

// "10:42" today, "1 Dec 10:42" another day (the viewer's time zone).
export function clockTime(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (d.toDateString() === now.toDateString()) return hm;
  return `${d.getDate()} ${d.toLocaleString('en', { month: 'short' })} ${hm}`;
}

// "in 2 min 05 s", "in 40 s", "now" (a countdown to a retry).
export function countdown(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now.getTime();
  if (Number.isNaN(ms)) return '';
  if (ms <= 1000) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `in ${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function deliveryState(d: DeliveryFacts, now: Date): StateText {
  const last = d.last_status_code !== null || d.last_error ? outcomeLabel({ status_code: d.last_status_code, error: d.last_error }) : '';
  switch (d.state) {
    case 'delivered':
      return { label: 'Delivered', detail: d.attempts > 1 ? `after ${d.attempts} attempts` : '', tone: 'ok' };
    case 'exhausted':
      return {
        label: 'Gave up',
        detail: `after ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}${last ? ` · last ${last}` : ''}`,
        tone: 'bad',
      };
    case 'dropped':
      return { label: 'Dropped', detail: 'not sent (webhook deleted or event dropped)', tone: 'off' };
    case 'pending':
      break;
    default:
      return { label: d.state, detail: '', tone: 'off' };
  }
  if (d.waiting_for_earlier) {
    return { label: 'Waiting', detail: 'waiting for an earlier event of this call', tone: 'wait' };
  }
  if (d.attempts === 0) {
    const due = d.next_attempt_at && new Date(d.next_attempt_at).getTime() > now.getTime() + 1000;
    return { label: 'Queued', detail: due ? `first attempt at ${clockTime(d.next_attempt_at, now)}` : 'sending now', tone: 'wait' };
  }
  const of = d.max_attempts ? ` of ${d.max_attempts}` : '';
  const when = d.next_attempt_at ? ` at ${clockTime(d.next_attempt_at, now)}` : '';
  return {
    label: 'Retrying',
    detail: `retry ${d.attempts + 1}${of}${when}${last ? ` · last ${last}` : ''}`,
    tone: 'bad',
  };
}

// The webhook's health line (list and page): its status first, then whether
// its endpoint is failing and since when, else its last delivery.
export function webhookHealth(w: WebhookFacts, last: DeliveryFacts | null, now: Date): StateText {
  const since = w.failing_since ? clockTime(w.failing_since, now) : '';
  if (w.status === 'failed') {
    return {
      label: 'Failed',
      detail: since ? `failing since ${since}; nothing is sent until it is enabled` : 'nothing is sent until it is enabled',
      tone: 'bad',
    };
  }
  if (w.status === 'inactive' && w.disabled_reason === 'gone') {
    return {
      label: 'Disabled',
      detail: 'the endpoint answered 410 Gone, so it was disabled; nothing is sent until it is enabled',
      tone: 'bad',
    };
  }
  if (w.status === 'inactive') return { label: 'Disabled', detail: 'nothing is sent while disabled', tone: 'off' };
  if (since) return { label: 'Failing', detail: `failing since ${since}`, tone: 'bad' };
  if (!last) return { label: 'No deliveries yet', detail: '', tone: 'off' };
  const s = deliveryState(last, now);
  return { label: s.label, detail: s.detail, tone: s.tone };
}
