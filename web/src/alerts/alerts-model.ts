// Alert channels (issue 17 item 10, over issue 16's /api/v2/alert-channels):
// the form's model, pure so that web_unit_test.mjs can table-test it. The
// server validates; these only shape what is sent and say what is true.
import type { AlertChannel, AlertEvent } from '../api';

export const ALERT_EVENTS: { event: AlertEvent; label: string; hint: string }[] = [
  { event: 'webhook.failed', label: 'A webhook failed', hint: 'It turned Failed after 3 deliveries in a row gave up.' },
  { event: 'webhook.disabled', label: 'A webhook was turned off', hint: 'Its receiver answered 410 Gone.' },
  { event: 'webhook.degraded', label: 'A webhook is degraded', hint: 'Its success rate fell under the threshold below.' },
  { event: 'webhook.recovered', label: 'A webhook recovered', hint: 'Enabled again, or back above the threshold.' },
  {
    event: 'delivery.exhausted',
    label: 'Deliveries gave up',
    hint: 'Opt-in: deliveries that stopped retrying after 24 h, counted per webhook.',
  },
];
// What a new channel subscribes to (the server's default too).
export const DEFAULT_EVENTS: AlertEvent[] = ['webhook.failed', 'webhook.disabled', 'webhook.degraded', 'webhook.recovered'];
export const MASKED = '********';

export type Tls = 'starttls' | 'implicit';
export const TLS_PORT: Record<Tls, number> = { starttls: 587, implicit: 465 };

export interface ChannelForm {
  kind: 'webhook' | 'email';
  name: string;
  enabled: boolean;
  events: AlertEvent[];
  url: string;
  host: string;
  port: string; // "" = the TLS mode's default
  tls: Tls;
  username: string;
  password: string; // "" = keep the stored one (edit) / none (create)
  from: string;
  recipients: string; // one per line or comma-separated
}

export function emptyChannelForm(kind: ChannelForm['kind'] = 'webhook'): ChannelForm {
  return {
    kind,
    name: '',
    enabled: true,
    events: [...DEFAULT_EVENTS],
    url: '',
    host: '',
    port: '',
    tls: 'starttls',
    username: '',
    password: '',
    from: '',
    recipients: '',
  };
}

// The form of a stored channel: its password is never shown (write-only).
export function formFromChannel(c: AlertChannel): ChannelForm {
  const f = emptyChannelForm(c.kind);
  f.name = c.name;
  f.enabled = c.enabled;
  f.events = [...c.events];
  f.url = c.url ?? '';
  if (c.smtp) {
    f.host = c.smtp.host;
    f.port = String(c.smtp.port);
    f.tls = c.smtp.tls === 'implicit' ? 'implicit' : 'starttls';
    f.username = c.smtp.username;
    f.from = c.smtp.from;
    f.recipients = c.smtp.recipients.join('\n');
  }
  return f;
}

export function splitRecipients(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// The POST (create) or PATCH (edit) body. A password left empty on edit is
// not sent, so the stored one stays; the kind is sent on create only.
export function channelBody(f: ChannelForm, mode: 'create' | 'edit'): Record<string, unknown> {
  const body: Record<string, unknown> = { name: f.name.trim(), enabled: f.enabled, events: f.events };
  if (mode === 'create') body.kind = f.kind;
  if (f.kind === 'webhook') {
    body.url = f.url.trim();
    return body;
  }
  const smtp: Record<string, unknown> = {
    host: f.host.trim(),
    tls: f.tls,
    username: f.username.trim(),
    from: f.from.trim(),
    recipients: splitRecipients(f.recipients),
  };
  const port = f.port.trim();
  if (port !== '') smtp.port = /^\d+$/.test(port) ? Number(port) : port; // the server names a bad one
  if (f.password !== '') smtp.password = f.password;
  body.smtp = smtp;
  return body;
}

export function formsEqual(a: ChannelForm, b: ChannelForm): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const FORM_FIELDS = [
  'name',
  'kind',
  'enabled',
  'events',
  'url',
  'smtp.host',
  'smtp.port',
  'smtp.tls',
  'smtp.username',
  'smtp.password',
  'smtp.from',
  'smtp.recipients',
];

export function shownAtField(field: string | undefined): boolean {
  return !!field && FORM_FIELDS.some((f) => field === f || field.startsWith(f + '['));
}

// What is true about a channel's sending, in an admin's words.
export function channelState(c: AlertChannel): { tone: 'ok' | 'failed' | 'off' | 'idle'; text: string } {
  if (!c.enabled) return { tone: 'off', text: 'Off' };
  const failedLast = c.last_failure_at && (!c.last_success_at || c.last_success_at < c.last_failure_at);
  if (failedLast) return { tone: 'failed', text: `Last alert failed: ${c.last_error ?? 'unknown error'}` };
  if (c.last_success_at) return { tone: 'ok', text: 'Last alert sent' };
  return { tone: 'idle', text: 'No alert sent yet' };
}
