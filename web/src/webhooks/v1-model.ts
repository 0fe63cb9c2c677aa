// The v1 (legacy calling webhooks) form's state and its mapping to and from
// the /api/v1/webhooks body. Pure functions: no DOM, no requests.
import type { KeyValue, V1Type, V1Webhook } from '../api';

// The product's row limit for headers and query parameters (src/model/limits.h).
export const MAX_V1_PARAMS = 10;

export const V1_TYPES: { value: V1Type; label: string; description: string }[] = [
  { value: 'after_call', label: 'After call', description: 'Once a call ends.' },
  { value: 'incall', label: 'In-call', description: 'During a call: initiated, ringing, answered.' },
  { value: 'disposition', label: 'Disposition', description: 'After the agent saves a disposition.' },
];

export function v1TypeLabel(type: string): string {
  return V1_TYPES.find((t) => t.value === type)?.label ?? type;
}

// The legacy payload's fields (seed 003), in the server's order; the only names `fields` accepts.
export const V1_FIELDS = [
  'uid',
  'company_id',
  'clid',
  'call_state',
  'event',
  'users',
  'public_ivr_id',
  'client_ref_id',
  'direction',
  'duration',
  'recording_url',
  'disposition',
] as const;

export interface V1Form {
  type: V1Type;
  url: string;
  method: 'POST' | 'GET';
  headers: KeyValue[];
  query: KeyValue[];
  fields: string[]; // none: all fields
  enabled: boolean;
}

export function emptyV1Form(): V1Form {
  return { type: 'after_call', url: '', method: 'POST', headers: [], query: [], fields: [], enabled: true };
}

export function v1FormFrom(w: V1Webhook): V1Form {
  return {
    type: w.type,
    url: w.url,
    method: w.method === 'GET' ? 'GET' : 'POST',
    // Masked values ("********") go back as they came: the server keeps the stored value of that key.
    headers: w.headers.map((h) => ({ key: h.key, value: h.value })),
    query: w.query.map((q) => ({ key: q.key, value: q.value })),
    fields: [...w.fields],
    enabled: w.enabled,
  };
}

// The body of both POST and PATCH (v1 PATCH takes the same fields).
export function v1Body(form: V1Form): Record<string, unknown> {
  const order = (f: string) => {
    const i = (V1_FIELDS as readonly string[]).indexOf(f);
    return i < 0 ? V1_FIELDS.length : i;
  };
  return {
    type: form.type,
    url: form.url.trim(),
    method: form.method,
    headers: form.headers.map((h) => ({ key: h.key, value: h.value })),
    query: form.query.map((q) => ({ key: q.key, value: q.value })),
    fields: [...form.fields].sort((a, b) => order(a) - order(b)),
    enabled: form.enabled,
  };
}

export function v1FormChanged(initial: V1Form, current: V1Form): boolean {
  return JSON.stringify(v1Body(initial)) !== JSON.stringify(v1Body(current));
}

// Whether the form shows an error for this path next to a field; the others
// go to the banner above it.
export function v1ShownInline(path: string | undefined, form: V1Form): boolean {
  if (!path) return false;
  if (['type', 'url', 'method', 'headers', 'query', 'fields', 'enabled'].includes(path)) return true;
  if (/^fields\[\d+\]$/.test(path)) return true;
  const row = /^(headers|query)\[(\d+)\](\.(key|value))?$/.exec(path);
  if (!row) return false;
  const rows = row[1] === 'headers' ? form.headers : form.query;
  return Number(row[2]) < rows.length;
}
