// The dashboard's only way to the server: the public HTTP API (api.md), with
// the signed-in user's bearer token. Errors keep the server's code, message
// and per-field list so that forms can show them next to the field.

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

export interface Permissions {
  managers_can_manage_webhooks: boolean;
  manage_webhooks: boolean;
  manage_users: boolean;
  set_permissions: boolean;
  [capability: string]: boolean;
}

export interface Me {
  user: { id: string; name: string; email: string; role: string } | null;
  company: { id: string; name: string };
  role: string;
  token_kind: string;
  permissions: Permissions;
}

export interface EventType {
  type: string;
  label: string;
  description: string;
  sequenced: boolean;
}

export interface EventGroup {
  name: string;
  label?: string;
  events: EventType[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export type Auth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; location: 'header' | 'query'; keys: { name: string; value: string }[] };

export interface Filters {
  direction: string[];
  department_ids: string[];
  agent_ids: string[];
}

export type WebhookStatus = 'active' | 'inactive' | 'failed';

export interface LastDelivery {
  at?: string;
  state?: string;
  status_code?: number | null;
}

export interface Webhook {
  id: string;
  name: string;
  description: string;
  url: string;
  status: WebhookStatus;
  // Why it is inactive when the server disabled it: 'gone' = its endpoint answered 410.
  disabled_reason?: string | null;
  auth: Auth;
  headers: KeyValue[];
  events: string[];
  filters: Filters;
  has_secret: boolean;
  secret?: string; // only in the answer that created or rotated it
  previous_secret_expires_at?: string; // while a rotated-out secret still signs
  consecutive_failures: number;
  last_delivery: LastDelivery | null;
  failing_since?: string | null; // when its current run of failed attempts began
  // Delivery controls (issue 16 item 4): per-request timeout, requests in
  // flight at once, deliveries started per second (null = unlimited).
  timeout_ms?: number;
  max_in_flight?: number;
  max_rate?: number | null;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Attempt {
  id: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  error_message: string;
  latency_ms: number;
}

export interface NamedValue {
  name: string;
  value: string;
}

export interface AttemptDetail extends Attempt {
  request: { url: string; headers: NamedValue[]; body: string };
  response: { headers: NamedValue[]; body: string };
}

export interface Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  state: string;
  attempts: number;
  max_attempts?: number; // the schedule's budget (26)
  waiting_for_earlier?: boolean; // held behind an earlier pending event of its call
  blocked_by?: string | null; // the delivery it waits for
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryTimeline {
  delivery: Delivery;
  data: AttemptDetail[]; // failed attempts, oldest first
}

export interface ApiToken {
  id: string;
  kind: 'user' | 'ingest';
  user_id: string | null;
  hint: string | null;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  token?: string; // only in the answer that created it
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: string;
  active?: boolean;
}

export interface SearchHit {
  event_id: string;
  event_type: string;
  call_id: string | null;
  created_at: string;
  matched_by: 'event_id' | 'delivery_id' | 'call_id' | 'phone_number';
  deliveries: Delivery[];
}

export interface TestResult {
  delivered: boolean;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_body?: string; // what the receiver answered (capped), not recorded by the server
  response_body_truncated?: boolean;
  event_id?: string;
  event_type?: string;
}

// ---- Recover and retention (issue 17 items 8 and 10) ------------------------

export interface RecoverJob {
  id: string;
  webhook_id: string;
  status: 'running' | 'done' | 'failed';
  since: string;
  queued: number;
  total: number;
  capped: boolean;
  limit: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface Retention {
  retention_seconds: number;
  source: 'company' | 'default';
  default_retention_seconds: number;
  min_retention_seconds: number;
  max_retention_seconds: number;
}

// ---- Calling webhooks v1 (legacy) ----------------------------------------

export type AlertEvent =
  | 'webhook.failed'
  | 'webhook.disabled'
  | 'webhook.degraded'
  | 'webhook.recovered'
  | 'delivery.exhausted';

// GET /api/v2/alert-channels: the password is never returned ("********" when set).
export interface AlertChannel {
  id: string;
  name: string;
  kind: 'webhook' | 'email';
  events: AlertEvent[];
  enabled: boolean;
  url?: string;
  smtp?: {
    host: string;
    port: number;
    tls: 'implicit' | 'starttls' | 'none';
    username: string;
    password: string | null;
    from: string;
    recipients: string[];
  };
  secret?: string; // the alert webhook's signing secret, in the answer to POST only
  last_error: string | null;
  last_failure_at: string | null;
  last_success_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AlertSettings {
  degraded_below_percent: number;
  degraded_min_attempts: number;
  degraded_window_minutes: number;
}

export interface EventsToday {
  events: number;
  since: string;
  time_zone: string;
}

export type V1Type = 'after_call' | 'incall' | 'disposition';

export interface V1Webhook {
  id: string;
  type: V1Type;
  url: string;
  method: 'POST' | 'GET';
  headers: KeyValue[]; // values come back masked ("********"); sent back as is, they keep the stored value
  query: KeyValue[];
  fields: string[]; // empty: all legacy fields
  enabled: boolean;
  created_at: string;
  updated_at: string;
  warning?: string; // past v1's sunset: what the server does with v1
}

export interface V1Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  state: 'pending' | 'delivered' | 'dropped';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

// What a v1 answer says about v1's retirement (its Deprecation, Sunset and
// Warning headers, and the `warning` field past the sunset).
export interface V1Notice {
  deprecated: boolean;
  sunset: string | null;
  warning: string | null;
}

function v1Notice(headers: Headers, warning?: string): V1Notice {
  const header = headers.get('Warning');
  const quoted = header ? /"(.*)"/.exec(header)?.[1] ?? header : null;
  return {
    deprecated: headers.has('Deprecation'),
    sunset: headers.get('Sunset'),
    warning: warning ?? quoted ?? null,
  };
}

// ---- Directory and live calls ----------------------------------------------

export interface DirectoryEntry {
  id: string;
  name: string;
}

export type DirectoryKind = 'departments' | 'agents';

// Pages of a directory list are followed up to this many entries.
export const DIRECTORY_CAP = 5000;
const DIRECTORY_PAGE = 500;

export type LiveCallState = 'ringing' | 'connected' | 'disconnected' | 'missed' | 'transferred';

export interface LiveCall {
  call_id: string;
  state: LiveCallState;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound';
  agent: { id: string; name: string } | null;
  department: { id: string; name: string } | null;
  at: string;
}

const TOKEN_KEY = 'switchboard.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Called when the server says the token is no longer valid (401).
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}
// For requests made outside request() (the live call stream): a 401 for the session's own token.
export function reportUnauthorized(token: string | null): void {
  if (token && token === storedToken()) onUnauthorized();
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = storedToken(),
): Promise<T> {
  return (await requestWithHeaders<T>(method, path, body, token)).data;
}

// The same, with the answer's headers (v1 answers carry Deprecation/Sunset).
export async function requestWithHeaders<T>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = storedToken(),
): Promise<{ data: T; headers: Headers }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.', undefined, []);
  }
  if (response.status === 204) return { data: undefined as T, headers: response.headers };
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const envelope = (parsed ?? {}) as {
      error?: { code?: string; message?: string; field?: string };
      errors?: FieldError[];
    };
    const error = new ApiError(
      response.status,
      envelope.error?.code ?? 'http_' + response.status,
      envelope.error?.message ?? `The server answered ${response.status}.`,
      envelope.error?.field,
      Array.isArray(envelope.errors) ? envelope.errors : [],
    );
    // Only the session's own token ending signs out (not a token being tried at sign-in).
    if (response.status === 401 && token && token === storedToken()) onUnauthorized();
    throw error;
  }
  return { data: parsed as T, headers: response.headers };
}

export const api = {
  me: (token?: string) => request<Me>('GET', '/api/v2/me', undefined, token ?? storedToken()),
  eventTypes: () => request<{ groups: EventGroup[] }>('GET', '/api/v2/event-types'),
  listWebhooks: () => request<Page<Webhook>>('GET', '/api/v2/webhooks?limit=100'),
  getWebhook: (id: string) => request<Webhook>('GET', `/api/v2/webhooks/${encodeURIComponent(id)}`),
  createWebhook: (body: unknown) => request<Webhook>('POST', '/api/v2/webhooks', body),
  updateWebhook: (id: string, body: unknown) =>
    request<Webhook>('PATCH', `/api/v2/webhooks/${encodeURIComponent(id)}`, body),
  deleteWebhook: (id: string, confirm: string) =>
    request<void>(
      'DELETE',
      `/api/v2/webhooks/${encodeURIComponent(id)}?confirm=${encodeURIComponent(confirm)}`,
    ),
  enableWebhook: (id: string) =>
    request<Webhook>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/enable`),
  disableWebhook: (id: string) =>
    request<Webhook>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/disable`),
  rotateSecret: (id: string) =>
    request<Webhook>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/secret/rotate`),
  sendTest: (id: string, eventType: string) =>
    request<TestResult>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/test`, {
      event_type: eventType,
    }),
  failures: (id: string, query: URLSearchParams) =>
    request<Page<Attempt>>(
      'GET',
      `/api/v2/webhooks/${encodeURIComponent(id)}/failures?${query.toString()}`,
    ),
  failure: (id: string, attemptId: string) =>
    request<AttemptDetail>(
      'GET',
      `/api/v2/webhooks/${encodeURIComponent(id)}/failures/${encodeURIComponent(attemptId)}`,
    ),
  deliveries: (id: string, query: URLSearchParams) =>
    request<Page<Delivery>>(
      'GET',
      `/api/v2/webhooks/${encodeURIComponent(id)}/deliveries?${query.toString()}`,
    ),
  permissions: () => request<{ managers_can_manage_webhooks: boolean }>('GET', '/api/v2/permissions'),
  setPermissions: (managers: boolean) =>
    request<{ managers_can_manage_webhooks: boolean }>('PUT', '/api/v2/permissions', {
      managers_can_manage_webhooks: managers,
    }),
  users: () => request<Page<User>>('GET', '/api/v2/users?limit=500'),
  tokens: (cursor?: string) =>
    request<Page<ApiToken>>('GET', `/api/v2/tokens?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  createToken: (userId: string, expiresIn?: number) =>
    request<ApiToken>('POST', '/api/v2/tokens', { user_id: userId, ...(expiresIn ? { expires_in: expiresIn } : {}) }),
  createIngestToken: (expiresIn?: number) =>
    request<ApiToken>('POST', '/api/v2/ingest-tokens', expiresIn ? { expires_in: expiresIn } : {}),
  revokeToken: (id: string) => request<unknown>('DELETE', `/api/v2/tokens/${encodeURIComponent(id)}`),
  calls: (query: URLSearchParams) =>
    request<Page<import('./live/calls-model').HistoryCall>>('GET', `/api/v2/calls?${query.toString()}`),
  search: (q: string) => request<{ query: string; data: SearchHit[] }>('GET', `/api/v2/search?q=${encodeURIComponent(q)}`),
  deliveryAttempts: (deliveryId: string) =>
    request<DeliveryTimeline>('GET', `/api/v2/deliveries/${encodeURIComponent(deliveryId)}/attempts`),
  redeliver: (deliveryId: string) =>
    request<Delivery>('POST', `/api/v2/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),
  replay: (id: string, since: string, until: string) =>
    request<{ replayed: number; limit: number }>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/replay`, {
      since,
      until,
    }),
  stats: (id: string, window: import('./webhooks/stats-model').StatsWindow) =>
    request<import('./webhooks/stats-model').WebhookStats>(
      'GET',
      `/api/v2/webhooks/${encodeURIComponent(id)}/stats?window=${encodeURIComponent(window)}`,
    ),
  recover: (id: string, since: string) =>
    request<RecoverJob>('POST', `/api/v2/webhooks/${encodeURIComponent(id)}/recover`, { since }),
  recoverJob: (id: string, jobId: string) =>
    request<RecoverJob>(
      'GET',
      `/api/v2/webhooks/${encodeURIComponent(id)}/recover/${encodeURIComponent(jobId)}`,
    ),
  retention: () => request<Retention>('GET', '/api/v2/retention'),
  setRetention: (seconds: number | null) =>
    request<Retention>('PATCH', '/api/v2/retention', { retention_seconds: seconds }),
  alertChannels: () => request<{ data: AlertChannel[] }>('GET', '/api/v2/alert-channels'),
  createAlertChannel: (body: unknown) => request<AlertChannel>('POST', '/api/v2/alert-channels', body),
  updateAlertChannel: (id: string, body: unknown) =>
    request<AlertChannel>('PATCH', `/api/v2/alert-channels/${encodeURIComponent(id)}`, body),
  deleteAlertChannel: (id: string) => request<void>('DELETE', `/api/v2/alert-channels/${encodeURIComponent(id)}`),
  testAlertChannel: (id: string) =>
    request<{ queued?: boolean; delivered?: boolean; status_code?: number | null; error?: string | null }>(
      'POST',
      `/api/v2/alert-channels/${encodeURIComponent(id)}/test`,
    ),
  alertSettings: () => request<AlertSettings>('GET', '/api/v2/alert-settings'),
  setAlertSettings: (body: Partial<AlertSettings>) => request<AlertSettings>('PATCH', '/api/v2/alert-settings', body),
  eventsToday: () => request<EventsToday>('GET', '/api/v2/stats/today'),
  event: (eventId: string) =>
    request<{ event: unknown; deliveries: Delivery[] }>('GET', `/api/v2/events/${encodeURIComponent(eventId)}`),
  // The whole directory (departments or agents), following the cursor up to
  // DIRECTORY_CAP entries; callers fall back to typed ids when it fails.
  directory: async (kind: DirectoryKind): Promise<DirectoryEntry[]> => {
    const entries: DirectoryEntry[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: String(DIRECTORY_PAGE) });
      if (cursor) query.set('cursor', cursor);
      const page: Page<DirectoryEntry> = await request<Page<DirectoryEntry>>('GET', `/api/v2/${kind}?${query}`);
      for (const e of page.data) entries.push({ id: e.id, name: e.name });
      cursor = page.next_cursor;
    } while (cursor && entries.length < DIRECTORY_CAP);
    return entries.slice(0, DIRECTORY_CAP);
  },
  v1: {
    list: async () => {
      const r = await requestWithHeaders<Page<V1Webhook> & { warning?: string }>(
        'GET',
        '/api/v1/webhooks?limit=100',
      );
      return { webhooks: r.data.data, notice: v1Notice(r.headers, r.data.warning) };
    },
    create: (body: unknown) => request<V1Webhook>('POST', '/api/v1/webhooks', body),
    update: (id: string, body: unknown) =>
      request<V1Webhook>('PATCH', `/api/v1/webhooks/${encodeURIComponent(id)}`, body),
    enable: (id: string) => request<V1Webhook>('POST', `/api/v1/webhooks/${encodeURIComponent(id)}/enable`),
    disable: (id: string) => request<V1Webhook>('POST', `/api/v1/webhooks/${encodeURIComponent(id)}/disable`),
    remove: (id: string) => request<void>('DELETE', `/api/v1/webhooks/${encodeURIComponent(id)}`),
    deliveries: (id: string, query: URLSearchParams) =>
      request<Page<V1Delivery>>('GET', `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries?${query.toString()}`),
  },
};
