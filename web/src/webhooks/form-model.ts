// The Add/Edit form's state and its mapping to and from the API's webhook
// body. Pure functions: no DOM, no requests.
import type { EventGroup, FieldError, KeyValue, Webhook } from '../api';

// The product's row limits (src/model/limits.h): the server enforces them,
// the form only stops offering "+ Add" past them.
export const MAX_HEADERS = 10;
export const MAX_API_KEYS = 10;

export type AuthType = 'none' | 'basic' | 'api_key';
export type SecretChoice = 'generate' | 'none';
// On edit, when the URL moves to another origin: what becomes of the signing
// secret ('' = not chosen yet; the server then asks, secret_decision_required).
export type SecretDecision = '' | 'generate' | 'keep';

// What the API shows in place of a secret value; sent back, it keeps the
// stored value (except when the URL moves to another origin).
export const MASKED = '********';

export interface WebhookForm {
  name: string;
  description: string;
  url: string;
  authType: AuthType;
  username: string;
  password: string;
  apiKeyLocation: 'header' | 'query';
  apiKeys: KeyValue[];
  headers: KeyValue[];
  events: string[];
  direction: string[];
  departmentIds: string[];
  agentIds: string[];
  secret: SecretChoice; // on create only; an existing secret is rotated with its own action
  secretDecision: SecretDecision; // on edit, only sent when the URL's origin changes
  // Delivery controls (Advanced; issue 16 item 4), as typed: "" = the default
  // (DELIVERY_DEFAULTS; for maxRate: unlimited). The server checks the range.
  timeoutMs: string;
  maxInFlight: string;
  maxRate: string;
}

// The delivery controls' bounds and defaults (src/model/limits.h,
// model::DeliveryControls; the API's WebhookCreate in openapi.json).
export const DELIVERY_LIMITS = {
  timeout_ms: { min: 1000, max: 30000, default: 30000 },
  max_in_flight: { min: 1, max: 32, default: 32 },
  max_rate: { min: 1, max: 10000, default: null },
} as const;
export const DELIVERY_FIELDS = ['timeout_ms', 'max_in_flight', 'max_rate'] as const;

export function emptyForm(): WebhookForm {
  return {
    name: '',
    description: '',
    url: '',
    authType: 'none',
    username: '',
    password: '',
    apiKeyLocation: 'header',
    apiKeys: [{ key: '', value: '' }],
    headers: [],
    events: [],
    direction: [],
    departmentIds: [],
    agentIds: [],
    secret: 'generate',
    secretDecision: '',
    timeoutMs: '',
    maxInFlight: '',
    maxRate: '',
  };
}

// The origin (scheme, host, port) of a URL, as the server compares them
// (src/model/webhook_origin.h); null when the text is not an absolute URL.
export function originOf(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (!u.host) return null;
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return null;
  }
}

// Whether an edit moves the webhook to another origin: the stored
// credentials are then not kept unless entered again (or removed), and the
// signing secret must be rotated or explicitly kept. A URL that does not
// parse yet is not judged (the server reports it).
export function originChanged(initial: WebhookForm, current: WebhookForm): boolean {
  const before = originOf(initial.url);
  const after = originOf(current.url);
  return !!before && !!after && before !== after;
}

// The paths of the secret values that still hold the masked value: on a
// change of origin, each must be entered again or removed.
export function maskedCredentialPaths(form: WebhookForm): string[] {
  const paths: string[] = [];
  if (form.authType === 'basic' && form.password === MASKED) paths.push('auth.password');
  if (form.authType === 'api_key') {
    form.apiKeys.forEach((k, i) => {
      if (k.value === MASKED) paths.push(`auth.keys[${i}].value`);
    });
  }
  form.headers.forEach((h, i) => {
    if (h.value === MASKED) paths.push(`headers[${i}].value`);
  });
  return paths;
}

// Group names ("call") stand for all their events; the form works on events.
export function expandEvents(events: string[], groups: EventGroup[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const group = groups.find((g) => g.name === e);
    for (const type of group ? group.events.map((x) => x.type) : [e]) {
      if (!out.includes(type)) out.push(type);
    }
  }
  return out;
}

export function formFromWebhook(w: Webhook, groups: EventGroup[]): WebhookForm {
  const form = emptyForm();
  form.name = w.name ?? '';
  form.description = w.description ?? '';
  form.url = w.url;
  form.authType = w.auth.type;
  if (w.auth.type === 'basic') {
    form.username = w.auth.username;
    form.password = w.auth.password; // MASKED: sent back as is, it keeps the stored value
  }
  if (w.auth.type === 'api_key') {
    form.apiKeyLocation = w.auth.location;
    form.apiKeys = w.auth.keys.map((k) => ({ key: k.name, value: k.value }));
  }
  form.headers = w.headers.map((h) => ({ key: h.key, value: h.value })); // values MASKED, as the password
  form.events = expandEvents(w.events, groups);
  form.direction = [...(w.filters?.direction ?? [])];
  form.departmentIds = [...(w.filters?.department_ids ?? [])];
  form.agentIds = [...(w.filters?.agent_ids ?? [])];
  // A default value shows as the empty field ("default"), so that an
  // unchanged form stays unchanged.
  const typed = (value: number | null | undefined, fallback: number | null) =>
    value === undefined || value === null || value === fallback ? '' : String(value);
  form.timeoutMs = typed(w.timeout_ms, DELIVERY_LIMITS.timeout_ms.default);
  form.maxInFlight = typed(w.max_in_flight, DELIVERY_LIMITS.max_in_flight.default);
  form.maxRate = typed(w.max_rate, DELIVERY_LIMITS.max_rate.default);
  return form;
}

// A typed delivery control as the API takes it: digits as a number, ""
// as `empty`, anything else as typed, so that the server names it at the
// field ("timeout_ms must be an integer").
export function controlValue(text: string, empty: number | null): number | string | null {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (t === '') return empty;
  return /^\d+$/.test(t) ? Number(t) : text.trim();
}

// The server names the API field ("max_rate must be 1 to 10000."); beside
// the field the form says it in the admin's words, with the same bounds.
const DELIVERY_WORDS: Record<string, string> = {
  timeout_ms: 'Enter a whole number of milliseconds from 1,000 to 30,000, or leave it empty for 30,000.',
  max_in_flight: 'Enter a whole number from 1 to 32, or leave it empty for 32.',
  max_rate: 'Enter a whole number of deliveries per second from 1 to 10,000, or leave it empty for no limit.',
};
export function inAdminWords(e: FieldError): FieldError {
  const words = e.field ? DELIVERY_WORDS[e.field] : undefined;
  return words && (e.code === 'invalid_value' || e.code === 'invalid_type') ? { ...e, message: words } : e;
}

// Whether any delivery control differs from its default (the Advanced
// section then starts open).
export function hasDeliveryControls(form: WebhookForm): boolean {
  return form.timeoutMs.trim() !== '' || form.maxInFlight.trim() !== '' || form.maxRate.trim() !== '';
}

// The fields both POST and PATCH take. `movesOrigin`: the edit moves the
// URL to another origin, so the secret decision is sent.
export function webhookBody(
  form: WebhookForm,
  mode: 'create' | 'edit',
  movesOrigin = false,
): Record<string, unknown> {
  let auth: Record<string, unknown>;
  switch (form.authType) {
    case 'basic':
      auth = { type: 'basic', username: form.username, password: form.password };
      break;
    case 'api_key':
      auth = {
        type: 'api_key',
        location: form.apiKeyLocation,
        keys: form.apiKeys.map((k) => ({ name: k.key, value: k.value })),
      };
      break;
    default:
      auth = { type: 'none' };
  }
  const body: Record<string, unknown> = {
    name: form.name,
    description: form.description,
    url: form.url.trim(),
    auth,
    headers: form.headers.map((h) => ({ key: h.key, value: h.value })),
    events: form.events,
    filters: {
      direction: form.direction,
      department_ids: form.departmentIds,
      agent_ids: form.agentIds,
    },
  };
  // Empty fields are the defaults: sent as such, so that clearing a field on
  // edit goes back to the default.
  body.timeout_ms = controlValue(form.timeoutMs, DELIVERY_LIMITS.timeout_ms.default);
  body.max_in_flight = controlValue(form.maxInFlight, DELIVERY_LIMITS.max_in_flight.default);
  body.max_rate = controlValue(form.maxRate, DELIVERY_LIMITS.max_rate.default);
  if (mode === 'create') body.secret = form.secret === 'generate' ? 'generate' : null;
  if (mode === 'edit' && movesOrigin && form.secretDecision) body.secret = form.secretDecision;
  return body;
}

function canonical(form: WebhookForm): string {
  const sorted = {
    ...form,
    events: [...form.events].sort(),
    direction: [...form.direction].sort(),
  };
  return JSON.stringify(sorted);
}

// Save stays disabled until this is true.
export function formChanged(initial: WebhookForm, current: WebhookForm): boolean {
  return canonical(initial) !== canonical(current);
}

// Whether the form shows an error for this path next to a field; the others
// go to the banner above the form so that no message is lost.
export function shownInline(path: string | undefined, form: WebhookForm): boolean {
  if (!path) return false;
  if (path.startsWith('events') || path.startsWith('filters')) return true;
  const fixed = [
    'name',
    'description',
    'url',
    'auth',
    'auth.type',
    'auth.username',
    'auth.password',
    'auth.location',
    'auth.keys',
    'headers',
    'secret',
    ...DELIVERY_FIELDS,
  ];
  if (fixed.includes(path)) return true;
  const row = /^(headers|auth\.keys)\[(\d+)\](\.(key|name|value))?$/.exec(path);
  if (!row) return false;
  const rows = row[1] === 'headers' ? form.headers : form.apiKeys;
  return Number(row[2]) < rows.length && (form.authType === 'api_key' || row[1] === 'headers');
}

// Header rows whose key repeats an earlier row's (case-insensitive), as the
// server judges them (duplicate_key): flagged while the admin types, before
// any save. Returns one field error per repeated row.
export function duplicateKeyErrors(rows: KeyValue[], pathPrefix: string, keyName: 'key' | 'name'): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  rows.forEach((row, i) => {
    const key = row.key.trim().toLowerCase();
    if (!key) return;
    if (seen.has(key)) {
      out.push({
        field: `${pathPrefix}[${i}].${keyName}`,
        code: 'duplicate_key',
        message: `Duplicate header key "${row.key.trim()}": each header can be set once.`,
      });
    }
    seen.add(key);
  });
  return out;
}

// The delivery controls in a sentence for the webhook page: "Timeout 8 s ·
// at most 2 at once · at most 50 per second" (defaults named as such).
export function deliveryControlsSummary(w: {
  timeout_ms?: number;
  max_in_flight?: number;
  max_rate?: number | null;
}): string {
  const timeout = w.timeout_ms ?? DELIVERY_LIMITS.timeout_ms.default;
  const seconds = timeout / 1000;
  const parts = [
    `Timeout ${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`,
    `at most ${w.max_in_flight ?? DELIVERY_LIMITS.max_in_flight.default} at once`,
    w.max_rate ? `at most ${w.max_rate.toLocaleString('en-US')} per second` : 'no rate limit',
  ];
  return parts.join(' · ');
}
