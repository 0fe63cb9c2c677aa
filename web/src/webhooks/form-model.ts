// The Add/Edit form's state and its mapping to and from the API's webhook
// body. Pure functions: no DOM, no requests.
import type { EventGroup, FieldError, KeyValue, Webhook } from '../api';

// The product's row limits (src/model/limits.h): the server enforces them,
// the form only stops offering "+ Add" past them.
export const MAX_HEADERS = 10;
export const MAX_API_KEYS = 10;

export type AuthType = 'none' | 'basic' | 'api_key';
export type SecretChoice = 'generate' | 'none';

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
}

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
  };
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
    form.password = w.auth.password; // "********": sent back as is, it keeps the stored value
  }
  if (w.auth.type === 'api_key') {
    form.apiKeyLocation = w.auth.location;
    form.apiKeys = w.auth.keys.map((k) => ({ key: k.name, value: k.value }));
  }
  form.headers = w.headers.map((h) => ({ key: h.key, value: h.value }));
  form.events = expandEvents(w.events, groups);
  form.direction = [...(w.filters?.direction ?? [])];
  form.departmentIds = [...(w.filters?.department_ids ?? [])];
  form.agentIds = [...(w.filters?.agent_ids ?? [])];
  return form;
}

// The fields both POST and PATCH take.
export function webhookBody(form: WebhookForm, mode: 'create' | 'edit'): Record<string, unknown> {
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
  if (mode === 'create') body.secret = form.secret === 'generate' ? 'generate' : null;
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

// Messages for one slot of the form: the exact path, or with `prefix` also
// the paths below it ("events" covers "events[3]").
export function messageFor(
  errors: FieldError[],
  slot: string,
  prefix = false,
): string | undefined {
  const hits = errors.filter(
    (e) =>
      e.field === slot ||
      (prefix && (e.field?.startsWith(slot + '[') || e.field?.startsWith(slot + '.'))),
  );
  return hits.length ? hits.map((e) => e.message).join(' ') : undefined;
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
  ];
  if (fixed.includes(path)) return true;
  const row = /^(headers|auth\.keys)\[(\d+)\](\.(key|name|value))?$/.exec(path);
  if (!row) return false;
  const rows = row[1] === 'headers' ? form.headers : form.apiKeys;
  return Number(row[2]) < rows.length && (form.authType === 'api_key' || row[1] === 'headers');
}
