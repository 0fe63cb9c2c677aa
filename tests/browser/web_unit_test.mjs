// Unit tests (node:test) of dashboard code that needs no browser: the
// text/event-stream parser (web/src/live/sse.ts), the live call table's rules
// (live/calls-model.ts), the stream client's reconnection (live/stream.ts,
// with a fake fetch), the directory's paging (api.ts), the v1 form model
// (webhooks/v1-model.ts), the v2 form's origin rule and duplicate header keys
// (webhooks/form-model.ts) and its delivery controls, the forms' error
// placement (form-errors.ts) and attempt failures in an admin's words
// (attempt-errors.ts), the true states of deliveries and webhooks
// (webhooks/states.ts) and an attempt's cURL command (webhooks/curl.ts). The TypeScript sources are bundled in memory with
// the esbuild that vite brings (web/node_modules).
// Run: node --test tests/browser/web_unit_test.mjs (CTest: browser.web_unit).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, requireOrSkip } from './harness.mjs';

const require = createRequire(path.join(repoRoot, 'web', 'package.json'));
let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  requireOrSkip(false, 'esbuild is not installed: run scripts/build.sh (npm ci in web/)');
}

async function load(file) {
  const result = await esbuild.build({
    entryPoints: [path.join(repoRoot, 'web', 'src', file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  return import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
}

const { SseParser } = await load('live/sse.ts');
const model = await load('live/calls-model.ts');
const stream = await load('live/stream.ts');
const apiModule = await load('api.ts');
const v1 = await load('webhooks/v1-model.ts');
const form = await load('webhooks/form-model.ts');
const states = await load('webhooks/states.ts');
const curl = await load('webhooks/curl.ts');
const formErrors = await load('form-errors.ts');

const messages = (items) => items.filter((i) => i.kind === 'message').map(({ event, data }) => ({ event, data }));

// ---- SSE parser ---------------------------------------------------------------

test('parses event and data lines into messages', () => {
  const p = new SseParser();
  const out = p.push('event: call\ndata: {"call_id":"c1"}\n\nevent: ready\ndata: {"calls":1}\n\n');
  assert.deepEqual(messages(out), [
    { event: 'call', data: '{"call_id":"c1"}' },
    { event: 'ready', data: '{"calls":1}' },
  ]);
});

test('a message without event: is a "message"; one space after the colon is dropped, not more', () => {
  const p = new SseParser();
  assert.deepEqual(messages(p.push('data:x\n\ndata:  y\n\n')), [
    { event: 'message', data: 'x' },
    { event: 'message', data: ' y' },
  ]);
});

test('joins multi-line data with \\n', () => {
  const p = new SseParser();
  assert.deepEqual(messages(p.push('event: call\ndata: line 1\ndata: line 2\ndata:\n\n')), [
    { event: 'call', data: 'line 1\nline 2\n' },
  ]);
});

test('accepts \\r\\n and \\r line ends, also split between chunks', () => {
  const p = new SseParser();
  const out = [
    ...p.push('event: call\r'),
    ...p.push('\ndata: a\r\n'),
    ...p.push('\r'),
    ...p.push('\n'), // this \n belongs to the \r before it: not a second empty line
    ...p.push('data: b\rdata: c\r\r'),
  ];
  assert.deepEqual(messages(out), [
    { event: 'call', data: 'a' },
    { event: 'message', data: 'b\nc' },
  ]);
});

test('a message split anywhere between chunks comes out whole, once', () => {
  const text = 'event: call\ndata: {"call_id":"c1","state":"ringing"}\n\n: ping\n\nevent: ready\ndata: {"calls":1}\n\n';
  for (let size = 1; size <= 7; size++) {
    const p = new SseParser();
    const out = [];
    for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
    assert.deepEqual(messages(out), [
      { event: 'call', data: '{"call_id":"c1","state":"ringing"}' },
      { event: 'ready', data: '{"calls":1}' },
    ], `chunks of ${size}`);
    assert.deepEqual(out.filter((i) => i.kind === 'comment'), [{ kind: 'comment', text: 'ping' }]);
  }
});

test('comments are reported, never dispatched; an event without data is not dispatched', () => {
  const p = new SseParser();
  const out = p.push(': ping\n:\nevent: call\n\ndata: after\n\n');
  assert.deepEqual(out.filter((i) => i.kind === 'comment').map((c) => c.text), ['ping', '']);
  // "event: call" with no data line is dropped, and its type does not leak into the next message.
  assert.deepEqual(messages(out), [{ event: 'message', data: 'after' }]);
});

test('id, retry, unknown fields and a field without a colon', () => {
  const p = new SseParser();
  const out = p.push('id: 7\nretry: 2500\nretry: soon\nfoo: bar\ndata\n\n');
  assert.deepEqual(out.filter((i) => i.kind === 'retry'), [{ kind: 'retry', ms: 2500 }]);
  const [m] = out.filter((i) => i.kind === 'message');
  assert.equal(m.data, '');
  assert.equal(m.id, '7');
});

test('strips a leading byte order mark; an unfinished message at the end is dropped', () => {
  const p = new SseParser();
  assert.deepEqual(messages(p.push('\uFEFFdata: x\n\ndata: half')), [{ event: 'message', data: 'x' }]);
  assert.deepEqual(p.end(), []);
});

test('data with colons and JSON is kept as is', () => {
  const p = new SseParser();
  const json = '{"at":"2026-11-22T10:24:54.073Z","from":"+91: x"}';
  assert.deepEqual(messages(p.push(`event: call\ndata: ${json}\n\n`)), [{ event: 'call', data: json }]);
});

// ---- Table rules ---------------------------------------------------------------

const call = (id, state, at, extra = {}) => ({
  call_id: id, state, from: '+919876543210', to: '+918040000102', direction: 'inbound',
  agent: null, department: null, at, ...extra,
});

test('a call moves through its states in one row; ended calls drop after 10 s', () => {
  let rows = new Map();
  rows = model.applyCall(rows, call('c1', 'ringing', '2026-11-23T10:00:00.000Z'), 1, 1000);
  rows = model.applyCall(rows, call('c1', 'connected', '2026-11-23T10:00:05.000Z'), 1, 6000);
  assert.equal(rows.size, 1);
  assert.equal(rows.get('c1').call.state, 'connected');
  assert.equal(rows.get('c1').endedAt, null);
  rows = model.applyCall(rows, call('c1', 'disconnected', '2026-11-23T10:01:00.000Z'), 1, 60000);
  assert.equal(rows.get('c1').endedAt, 60000);
  assert.equal(model.pruneEnded(rows, 69999).size, 1);
  assert.equal(model.pruneEnded(rows, 70000).size, 0);
});

test('missed ends a call; transferred does not', () => {
  let rows = new Map();
  rows = model.applyCall(rows, call('m', 'missed', '2026-11-23T10:00:00.000Z'), 1, 0);
  rows = model.applyCall(rows, call('t', 'transferred', '2026-11-23T10:00:00.000Z'), 1, 0);
  assert.notEqual(rows.get('m').endedAt, null);
  assert.equal(rows.get('t').endedAt, null);
});

test('an update older than the row is ignored', () => {
  let rows = new Map();
  rows = model.applyCall(rows, call('c1', 'connected', '2026-11-23T10:00:05.000Z'), 1, 0);
  rows = model.applyCall(rows, call('c1', 'ringing', '2026-11-23T10:00:00.000Z'), 1, 0);
  assert.equal(rows.get('c1').call.state, 'connected');
});

test('after a reconnection, calls the new snapshot left out go; ended ones keep their time', () => {
  let rows = new Map();
  rows = model.applyCall(rows, call('gone', 'connected', '2026-11-23T10:00:00.000Z'), 1, 0);
  rows = model.applyCall(rows, call('kept', 'ringing', '2026-11-23T10:00:00.000Z'), 1, 0);
  rows = model.applyCall(rows, call('ended', 'missed', '2026-11-23T10:00:00.000Z'), 1, 0);
  rows = model.applyCall(rows, call('kept', 'ringing', '2026-11-23T10:00:00.000Z'), 2, 0);
  rows = model.afterSnapshot(rows, 2);
  assert.deepEqual([...rows.keys()].sort(), ['ended', 'kept']);
});

test('newest call first; numbers parse like the server', () => {
  let rows = new Map();
  rows = model.applyCall(rows, call('old', 'ringing', '2026-11-23T10:00:00.000Z'), 1, 0);
  rows = model.applyCall(rows, call('new', 'ringing', '2026-11-23T10:05:00.000Z'), 1, 0);
  assert.deepEqual(model.sortedRows(rows).map((r) => r.call.call_id), ['new', 'old']);
  assert.deepEqual(model.parseNumbers(' +91 98765-43210, ,+918040000102 '), ['+919876543210', '+918040000102']);
  assert.equal(model.elapsed(0, 125000), '2 min 5 s');
});

// ---- Stream client -------------------------------------------------------------

function sseResponse(chunks, { hold = false } = {}) {
  const encoder = new TextEncoder();
  let controller;
  const body = new ReadableStream({
    start(c) {
      controller = c;
      for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
      if (!hold) c.close();
    },
  });
  const response = new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  return { response, controller };
}

const waitUntil = async (cond, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('the stream URL carries the filters', () => {
  assert.equal(stream.liveCallsUrl({ numbers: [], departmentIds: [] }), '/api/v2/live/calls');
  assert.equal(
    stream.liveCallsUrl({ numbers: ['+919876543210', '+918040000102'], departmentIds: ['dep_support'] }),
    '/api/v2/live/calls?numbers=%2B919876543210%2C%2B918040000102&department_ids=dep_support',
  );
});

test('backoff grows to 30 s with jitter', () => {
  assert.equal(stream.backoffDelay(0, () => 0.5), 500);
  assert.equal(stream.backoffDelay(3, () => 0.5), 4000);
  assert.equal(stream.backoffDelay(20, () => 0.5), 30000);
  assert.equal(stream.backoffDelay(0, () => 0), 400);
  assert.equal(stream.backoffDelay(0, () => 1), 600);
});

test('sends the bearer token, reads snapshot and ready, reconnects after a drop, stops on abort', async () => {
  const requests = [];
  const seen = [];
  const statuses = [];
  let opens = 0;
  let held;
  const fetchImpl = async (url, init) => {
    requests.push({ url, init });
    if (requests.length === 1) {
      // The first stream: a snapshot of one call, ready, then it drops.
      return sseResponse([
        'event: call\ndata: {"call_id":"c1","state":"ringing","from":"+1","to":"+2","direction":"inbound","agent":null,"department":null,"at":"2026-11-23T10:00:00.000Z"}\n\n',
        'event: ready\ndata: {"calls":1}\n\n',
      ]).response;
    }
    const { response, controller } = sseResponse(['event: ready\r\ndata: {"calls":0}\r\n\r\n: ping\r\n\r\n'], { hold: true });
    held = controller;
    init.signal.addEventListener('abort', () => controller.error(new Error('aborted')));
    return response;
  };
  const stop = stream.watchLiveCalls(
    { numbers: ['+1'], departmentIds: [] },
    {
      onOpen: () => opens++,
      onCall: (c) => seen.push(c),
      onReady: (n) => seen.push({ ready: n }),
      onStatus: (s) => statuses.push(s.state),
    },
    { token: 'sbt_test', fetchImpl },
  );
  await waitUntil(() => requests.length === 2 && seen.length === 3);
  assert.equal(requests[0].url, '/api/v2/live/calls?numbers=%2B1');
  assert.equal(requests[0].init.headers.Authorization, 'Bearer sbt_test');
  assert.equal(requests[0].init.headers.Accept, 'text/event-stream');
  assert.equal(seen[0].call_id, 'c1');
  assert.deepEqual(seen.slice(1), [{ ready: 1 }, { ready: 0 }]);
  assert.equal(opens, 2);
  assert.deepEqual(statuses.slice(0, 4), ['connecting', 'live', 'reconnecting', 'connecting']);
  await waitUntil(() => statuses.at(-1) === 'live');
  stop();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(requests[1].init.signal.aborted, true, 'the open stream is aborted');
  assert.equal(requests.length, 2, 'no reconnection after stop');
  assert.ok(held);
});

test('a refused filter (400) ends the watch with the field; 503 is retried', async () => {
  const statuses = [];
  let calls = 0;
  const fetchImpl = async () => {
    calls++;
    if (calls === 1) return new Response('{"error":{"code":"unavailable","message":"busy"}}', { status: 503 });
    return new Response('{"error":{"code":"invalid_value","message":"bad number","field":"numbers"}}', { status: 400 });
  };
  const stop = stream.watchLiveCalls(
    { numbers: ['abc'], departmentIds: [] },
    { onOpen() {}, onCall() {}, onReady() {}, onStatus: (s) => statuses.push(s) },
    { token: 't', fetchImpl },
  );
  await waitUntil(() => statuses.at(-1)?.state === 'failed');
  stop();
  assert.equal(calls, 2);
  assert.equal(statuses.find((s) => s.state === 'reconnecting').reason, 'busy');
  assert.deepEqual(statuses.at(-1), { state: 'failed', message: 'bad number', field: 'numbers' });
});

test('a stream that goes quiet is opened again', async () => {
  let calls = 0;
  const fetchImpl = async (_url, init) => {
    calls++;
    const { response, controller } = sseResponse([], { hold: true });
    init.signal.addEventListener('abort', () => controller.error(new Error('aborted')));
    return response;
  };
  const statuses = [];
  const stop = stream.watchLiveCalls(
    { numbers: [], departmentIds: [] },
    { onOpen() {}, onCall() {}, onReady() {}, onStatus: (s) => statuses.push(s) },
    { token: 't', fetchImpl, idleTimeoutMs: 50 },
  );
  await waitUntil(() => calls >= 2);
  stop();
  assert.equal(statuses.find((s) => s.state === 'reconnecting').reason, 'The stream went quiet.');
});

// ---- Directory paging ------------------------------------------------------------

test('the directory follows the cursor and stops at the cap', async () => {
  const seen = [];
  const original = globalThis.fetch;
  globalThis.sessionStorage ??= { getItem: () => 'sbt_x', setItem() {}, removeItem() {} };
  globalThis.fetch = async (url) => {
    seen.push(url);
    const cursor = new URL(url, 'http://x').searchParams.get('cursor');
    const n = cursor ? Number(cursor) : 0;
    const data = Array.from({ length: 500 }, (_, i) => ({ id: `dep_${n + i}`, name: `D${n + i}`, extra: 1 }));
    return new Response(JSON.stringify({ data, next_cursor: String(n + 500) }), { status: 200 });
  };
  try {
    const entries = await apiModule.api.directory('departments');
    assert.equal(entries.length, apiModule.DIRECTORY_CAP);
    assert.equal(seen.length, apiModule.DIRECTORY_CAP / 500);
    assert.match(seen[0], /^\/api\/v2\/departments\?limit=500$/);
    assert.match(seen[1], /cursor=500/);
    assert.deepEqual(entries[0], { id: 'dep_0', name: 'D0' });
    globalThis.fetch = async () => new Response('{"data":[{"id":"a","name":"A"}],"next_cursor":null}', { status: 200 });
    assert.deepEqual(await apiModule.api.directory('agents'), [{ id: 'a', name: 'A' }]);
  } finally {
    globalThis.fetch = original;
  }
});

// ---- v1 form model ---------------------------------------------------------------

test('v1 form: body in the server\'s field order, masked values sent back, changes detected', () => {
  const hook = {
    id: 'v1wh_1', type: 'incall', url: 'https://x.example/h', method: 'POST',
    headers: [{ key: 'X-T', value: '********' }], query: [], fields: ['clid', 'uid'], enabled: true,
    created_at: '', updated_at: '',
  };
  const form = v1.v1FormFrom(hook);
  assert.deepEqual(v1.v1Body(form), {
    type: 'incall', url: 'https://x.example/h', method: 'POST',
    headers: [{ key: 'X-T', value: '********' }], query: [], fields: ['uid', 'clid'], enabled: true,
  });
  assert.equal(v1.v1FormChanged(form, { ...form, fields: ['uid', 'clid'] }), false, 'order alone is no change');
  assert.equal(v1.v1FormChanged(form, { ...form, url: ' https://x.example/h ' }), false, 'spaces are trimmed');
  assert.equal(v1.v1FormChanged(form, { ...form, enabled: false }), true);
  assert.equal(v1.v1ShownInline('query[0].key', { ...form, query: [{ key: 'a', value: 'b' }] }), true);
  assert.equal(v1.v1ShownInline('query[3].key', form), false);
  assert.equal(v1.v1ShownInline('fields[2]', form), true);
  assert.equal(v1.v1ShownInline('', form), false);
});

// ---- v2 form: a URL moved to another origin (src/model/webhook_origin.h) ------

test('originOf compares scheme, host and port like the server', () => {
  assert.equal(form.originOf('https://CRM.example.com/a?b'), 'https://crm.example.com:443');
  assert.equal(form.originOf('https://crm.example.com:443/x'), 'https://crm.example.com:443');
  assert.equal(form.originOf('https://127.0.0.1:9443/h'), 'https://127.0.0.1:9443');
  assert.equal(form.originOf('not a url'), null);
});

test('an edit to another origin asks for the masked credentials and the secret decision', () => {
  const initial = { ...form.emptyForm(), url: 'https://crm.example.com/hooks', authType: 'basic',
    username: 'u', password: form.MASKED, headers: [{ key: 'X-A', value: form.MASKED }, { key: 'X-B', value: 'typed' }] };
  const samePath = { ...initial, url: 'https://crm.example.com/other?x=1' };
  assert.equal(form.originChanged(initial, samePath), false);
  const moved = { ...initial, url: 'https://crm.example.com:8443/hooks', secretDecision: 'keep' };
  assert.equal(form.originChanged(initial, moved), true);
  assert.equal(form.originChanged(initial, { ...initial, url: 'https://' }), false, 'not judged until it parses');
  assert.deepEqual(form.maskedCredentialPaths(moved), ['auth.password', 'headers[0].value']);
  assert.equal(form.webhookBody(moved, 'edit', true).secret, 'keep');
  assert.equal('secret' in form.webhookBody(moved, 'edit', false), false, 'same origin: the secret is not sent');
  assert.equal('secret' in form.webhookBody({ ...moved, secretDecision: '' }, 'edit', true), false);
});

// ---- Attempt outcomes in an admin's words (attempt-errors.ts) -----------------

const outcomes = await load('attempt-errors.ts');

test('each attempt error class gets a short label and a plain sentence, never the raw class', () => {
  const table = [
    [{ status_code: 500, error: 'http_status' }, 'HTTP 500', /answered HTTP 500 \(Internal Server Error\)/],
    [{ status_code: 500, error: 'http_status: HTTP 500' }, 'HTTP 500', /answered HTTP 500/],
    [{ status_code: 418, error: null }, 'HTTP 418', /answered HTTP 418;/],
    [{ status_code: 302, error: 'redirect' }, 'Redirect (HTTP 302)', /redirect \(HTTP 302\)\. Redirects are not followed/],
    [{ status_code: null, error: 'timeout: Operation timed out' }, 'Timed out', /did not answer in time/],
    [{ status_code: null, error: 'connect' }, 'Connection failed', /could not connect/],
    [{ status_code: null, error: 'tls' }, 'TLS error', /certificate/],
    [{ status_code: null, error: 'dns' }, 'Host not found', /host name could not be found/],
    [{ status_code: null, error: 'refused' }, 'Address not allowed', /private or reserved network/],
    [{ status_code: null, error: 'other: bad header' }, 'Not sent', /could not be sent/],
    [{ status_code: null, error: null }, '—', /failed/],
  ];
  for (const [outcome, label, sentence] of table) {
    assert.equal(outcomes.outcomeLabel(outcome), label, JSON.stringify(outcome));
    const text = outcomes.outcomeSentence(outcome);
    assert.match(text, sentence, JSON.stringify(outcome));
    assert.doesNotMatch(text, /http_status|timeout:|connect:|other:/);
  }
});

test('HTTP dates read as calendar dates', () => {
  assert.doesNotMatch(outcomes.readableDate('Fri, 31 Jul 2026 00:00:00 GMT'), /GMT|00:00/);
  assert.match(outcomes.readableDate('Fri, 31 Jul 2026 00:00:00 GMT'), /2026/);
  assert.equal(outcomes.readableDate('not a date'), 'not a date');
});

test('duplicate header keys are found while typing (case-insensitive, blank keys ignored)', () => {
  const rows = [
    { key: 'X-Source', value: 'a' },
    { key: '', value: '' },
    { key: ' x-source ', value: 'b' },
    { key: 'X-Other', value: '' },
    { key: 'X-SOURCE', value: 'c' },
  ];
  const errors = form.duplicateKeyErrors(rows, 'headers', 'key');
  assert.deepEqual(errors.map((e) => e.field), ['headers[2].key', 'headers[4].key']);
  assert.ok(errors.every((e) => e.code === 'duplicate_key' && /Duplicate header key/.test(e.message)));
  assert.deepEqual(form.duplicateKeyErrors([{ key: '', value: '' }, { key: '', value: '' }], 'headers', 'key'), []);
});

// ---- True states (webhooks/states.ts) -------------------------------------------

const NOW = new Date(2026, 11, 2, 11, 0, 0);
const at = (h, m, s = 0) => new Date(2026, 11, 2, h, m, s).toISOString();

test('a delivery says what is true: held, queued, retry k of n at hh:mm, delivered, gave up', () => {
  const base = { attempts: 0, max_attempts: 26, waiting_for_earlier: false, next_attempt_at: null,
    last_status_code: null, last_error: null, updated_at: at(10, 59) };
  const table = [
    // a held delivery never reads "0 attempts · next attempt <past>"
    [{ ...base, state: 'pending', waiting_for_earlier: true, next_attempt_at: at(10, 1) },
      'Waiting', 'waiting for an earlier event of this call', 'wait'],
    [{ ...base, state: 'pending', next_attempt_at: at(10, 59) }, 'Queued', 'sending now', 'wait'],
    [{ ...base, state: 'pending', next_attempt_at: at(11, 30) }, 'Queued', 'first attempt at 11:30', 'wait'],
    [{ ...base, state: 'pending', attempts: 4, next_attempt_at: at(11, 6), last_status_code: 500, last_error: 'http_status' },
      'Retrying', 'retry 5 of 26 at 11:06 · last HTTP 500', 'bad'],
    [{ ...base, state: 'pending', attempts: 1, max_attempts: undefined, next_attempt_at: at(11, 1), last_error: 'timeout' },
      'Retrying', 'retry 2 at 11:01 · last Timed out', 'bad'],
    [{ ...base, state: 'delivered', attempts: 1 }, 'Delivered', '', 'ok'],
    [{ ...base, state: 'delivered', attempts: 3 }, 'Delivered', 'after 3 attempts', 'ok'],
    [{ ...base, state: 'exhausted', attempts: 19, last_status_code: 500, last_error: 'http_status' },
      'Gave up', 'after 19 attempts · last HTTP 500', 'bad'],
    [{ ...base, state: 'dropped' }, 'Dropped', /not sent/, 'off'],
  ];
  for (const [d, label, detail, tone] of table) {
    const s = states.deliveryState(d, NOW);
    assert.equal(s.label, label, JSON.stringify(d));
    if (detail instanceof RegExp) assert.match(s.detail, detail);
    else assert.equal(s.detail, detail, JSON.stringify(d));
    assert.equal(s.tone, tone, JSON.stringify(d));
  }
});

test('a webhook says Failed / failing since hh:mm before its last delivery', () => {
  const pendingNow = { state: 'pending', attempts: 0, next_attempt_at: at(11, 0), last_status_code: null,
    last_error: null, updated_at: at(11, 0) };
  const table = [
    // a Failed webhook never reads "pending just now"
    [{ status: 'failed', failing_since: at(10, 42) }, pendingNow, 'Failed', /^failing since 10:42/, 'bad'],
    [{ status: 'failed', failing_since: null }, pendingNow, 'Failed', /until it is enabled/, 'bad'],
    [{ status: 'active', failing_since: at(10, 42) }, pendingNow, 'Failing', /^failing since 10:42$/, 'bad'],
    [{ status: 'inactive', failing_since: at(10, 42) }, null, 'Disabled', /disabled/, 'off'],
    // disabled by the server because the receiver answered 410 Gone (issue 16 item 3)
    [{ status: 'inactive', disabled_reason: 'gone' }, null, 'Disabled', /410 Gone/, 'bad'],
    [{ status: 'active', failing_since: null }, null, 'No deliveries yet', /^$/, 'off'],
    [{ status: 'active' }, { ...pendingNow, state: 'delivered', attempts: 1 }, 'Delivered', /^$/, 'ok'],
  ];
  for (const [w, last, label, detail, tone] of table) {
    const h = states.webhookHealth({ updated_at: at(9, 0), ...w }, last, NOW);
    assert.equal(h.label, label, JSON.stringify(w));
    assert.match(h.detail, detail, JSON.stringify(w));
    assert.equal(h.tone, tone, JSON.stringify(w));
  }
});

test('times: hh:mm today, the day before it otherwise; countdowns', () => {
  assert.equal(states.clockTime(at(10, 42), NOW), '10:42');
  assert.match(states.clockTime(new Date(2026, 11, 1, 9, 5).toISOString(), NOW), /^1 Dec 09:05$/);
  assert.equal(states.clockTime(null, NOW), '');
  assert.equal(states.countdown(at(11, 0, 40), NOW), 'in 40 s');
  assert.equal(states.countdown(at(11, 2, 5), NOW), 'in 2 min 05 s');
  assert.equal(states.countdown(at(13, 30), NOW), 'in 2 h 30 min');
  assert.equal(states.countdown(at(10, 0), NOW), 'now');
});

test('the cURL command: headers as sent, signatures kept, credentials left out and named', () => {
  const headers = [
    { name: 'Content-Type', value: 'application/json' },
    { name: 'X-MO-Signature', value: 'sha256=abc' },
    { name: 'Authorization', value: '********' },
    { name: 'Content-Length', value: '12' },
  ];
  const text = curl.curlCommand('https://h.example/x?a=1', headers, `{"n":"it's"}`);
  assert.match(text, /^# Not shown \(credentials\): Authorization\./);
  assert.match(text, /curl -X POST 'https:\/\/h\.example\/x\?a=1'/);
  assert.match(text, /-H 'X-MO-Signature: sha256=abc'/);
  assert.doesNotMatch(text, /\*\*\*\*|Content-Length|Authorization:/);
  assert.match(text, /--data-binary '\{"n":"it'\\''s"\}'$/);
  assert.equal(curl.shellQuote("a'b"), `'a'\\''b'`);
});

test('recent calls: stale instead of ringing for ever, durations running or final', () => {
  const t0 = Date.parse('2026-12-02T10:00:00Z');
  const iso = (s) => new Date(t0 + s * 1000).toISOString();
  const call = (over) => ({ call_id: 'c', state: 'ringing', direction: 'inbound', from: '+1', to: '+2', agent_id: null,
    department_id: null, started_at: iso(0), answered_at: null, ended_at: null, last_event_at: iso(0), events: 1, ...over });
  const table = [
    // [call, now (s), stale after (s), label, tone, duration, note]
    [call({}), 30, 600, 'Ringing', 'wait', '30 s', ''],
    [call({}), 700, 600, 'Stale', 'off', '', /^no update for 11 min 40 s$/],
    [call({ state: 'connected', answered_at: iso(5), last_event_at: iso(5) }), 125, 600, 'Connected', 'ok', '2 min 5 s', ''],
    [call({ state: 'disconnected', answered_at: iso(5), ended_at: iso(65), last_event_at: iso(65) }), 5000, 600,
      'Disconnected', 'off', '1 min 5 s', ''],
    [call({ state: 'missed', ended_at: iso(20), last_event_at: iso(20) }), 5000, 600, 'Missed', 'bad', '20 s', ''],
  ];
  for (const [c, now, stale, label, tone, duration, note] of table) {
    const v = model.historyView(c, t0 + now * 1000, stale * 1000);
    assert.equal(v.label, label, JSON.stringify(c));
    assert.equal(v.tone, tone, JSON.stringify(c));
    assert.equal(v.duration, duration, JSON.stringify(c));
    if (note instanceof RegExp) assert.match(v.note, note);
    else assert.equal(v.note, note);
  }
});

// ---- Health charts, Recover, retention, test log, refresh (issue 17 leftovers)

const stats = await load('webhooks/stats-model.ts');
const refresh = await load('refresh.ts');
const testLog = await load('webhooks/test-log.ts');
const recover = await load('webhooks/recover.tsx');
const retention = await load('retention.tsx');
const alerts = await load('alerts/alerts-model.ts');

test('stats: numbers in words, round scales', () => {
  for (const [rate, text] of [[null, '—'], [1, '100 %'], [0, '0 %'], [0.97, '97.0 %'], [0.12345, '12.3 %']]) {
    assert.equal(stats.percentText(rate), text);
  }
  for (const [ms, text] of [[null, '—'], [0.4, '0.4 ms'], [40.3, '40 ms'], [1234, '1.2 s'], [26000, '26 s']]) {
    assert.equal(stats.latencyText(ms), text);
  }
  for (const [v, max] of [[0, 1], [1, 1], [3, 5], [7, 10], [12, 20], [200, 200], [201, 500], [0.3, 0.5]]) {
    assert.equal(stats.niceMax(v), max, `niceMax(${v})`);
  }
});

const bucket = (start, attempts, failed, p50 = null, p95 = null) => ({
  start, attempts, succeeded: attempts - failed, failed, latency_ms: { p50, p95 },
});

test('stats: stacked bars and broken lines', () => {
  const { bars, max } = stats.attemptBars([bucket('a', 4, 1), bucket('b', 0, 0), bucket('c', 2, 2)], 300, 100);
  assert.equal(max, 5);
  assert.deepEqual(bars.map((b) => [b.x, b.okHeight, b.failHeight]), [[0, 60, 20], [100, 0, 0], [200, 0, 40]]);
  assert.equal(stats.linePath([10, 20, null, 5], 400, 100, 20), 'M50.0 50.0 L150.0 0.0 M350.0 75.0');
  assert.equal(stats.linePath([null, null], 400, 100, 20), '');
  assert.equal(stats.linePath([40], 100, 100, 20), 'M50.0 0.0', 'clamped to the scale');
  assert.deepEqual(stats.lonePoints([1, null, 2, 3, null, 4]), [0, 5]);
});

test('stats: the summary a screen reader hears', () => {
  const totals = (over) => ({ attempts: 0, succeeded: 0, failed: 0, success_rate: null,
    status_classes: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, network: 0 }, latency_ms: { p50: null, p95: null }, ...over });
  const table = [
    [{ window: '24h', totals: totals({}) }, 'No delivery attempts in the last 24 hours.'],
    [{ window: '1h', totals: totals({ attempts: 1200, succeeded: 1164, failed: 36, success_rate: 0.97,
      latency_ms: { p50: 40.3, p95: 203.2 } }) },
    '1,200 attempts in the last hour, 97.0 % succeeded, 36 failed; latency p50 40 ms, p95 203 ms.'],
    [{ window: '7d', totals: totals({ attempts: 3, failed: 3, success_rate: 0 }) },
      '3 attempts in the last 7 days, 0 % succeeded, 3 failed.'],
  ];
  for (const [s, text] of table) assert.equal(stats.statsSummary({ buckets: [], bucket_seconds: 900, ...s }), text);
});

test('stats: today counts the buckets that end after midnight', () => {
  const midnight = new Date('2026-12-02T00:00:00Z');
  const buckets = [
    bucket('2026-12-01T23:30:00.000Z', 5, 1), // ends 23:45: before
    bucket('2026-12-01T23:45:00.000Z', 7, 2), // ends at midnight: before
    bucket('2026-12-02T00:00:00.000Z', 3, 0),
    bucket('2026-12-02T09:15:00.000Z', 10, 4),
  ];
  assert.deepEqual(stats.countsSince(buckets, 900, midnight), { attempts: 13, succeeded: 9, failed: 4 });
  assert.deepEqual(stats.countsSince(buckets, 900, new Date('2026-12-01T23:50:00Z')), { attempts: 20, succeeded: 14, failed: 6 });
  const d = stats.startOfLocalDay(new Date(2026, 11, 2, 15, 4));
  assert.deepEqual([d.getHours(), d.getMinutes(), d.getDate()], [0, 0, 2]);
});

test('refresh: an unchanged list backs off to its ceiling, a change resets it', () => {
  const p = refresh.CALLS_BACKOFF;
  let wait = null;
  const waits = [];
  for (let i = 0; i < 7; i += 1) waits.push((wait = refresh.nextRefreshMs(wait, i === 0, p)));
  assert.deepEqual(waits, [3000, 6000, 12000, 24000, 48000, 60000, 60000]);
  assert.equal(refresh.nextRefreshMs(60000, true, p), 3000);
  assert.equal(refresh.nextRefreshMs(3000, false, refresh.FIXED_3S), 3000, 'the webhook logs keep 3 s');
  // Requests per minute by a tab left open on an unchanging list: 20 before, 5 after.
  assert.equal(refresh.requestsIn(59999, refresh.FIXED_3S), 20);
  assert.equal(refresh.requestsIn(59999, p), 5);
  assert.equal(refresh.requestsIn(10 * 60000 - 1, p), 14, 'then one a minute');
});

test('test log: newest first, capped, bodies kept within bounds, bad storage survived', () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  const result = (n, body = `{"n":${n}}`, truncated = false) => ({ delivered: n % 2 === 0, status_code: n % 2 ? 500 : 200,
    error: n % 2 ? 'http_status: HTTP 500' : null, latency_ms: 12, response_body: body, response_body_truncated: truncated,
    event_id: `evt_${n}`, event_type: 'call.answered' });
  for (let n = 0; n < testLog.TEST_LOG_MAX + 3; n += 1) {
    testLog.appendTestLog(storage, 'wh_1', testLog.toEntry(result(n), 'call.answered', new Date(1e12 + n)));
  }
  const log = testLog.readTestLog(storage, 'wh_1');
  assert.equal(log.length, testLog.TEST_LOG_MAX);
  assert.equal(log[0].event_id, `evt_${testLog.TEST_LOG_MAX + 2}`);
  assert.equal(log[0].response_body, `{"n":${testLog.TEST_LOG_MAX + 2}}`);
  assert.deepEqual(testLog.readTestLog(storage, 'wh_2'), [], 'per webhook');
  const big = testLog.toEntry(result(1, 'x'.repeat(testLog.TEST_BODY_MAX + 5)), 'call.end', new Date());
  assert.equal(big.response_body.length, testLog.TEST_BODY_MAX);
  assert.equal(big.truncated, true);
  assert.equal(testLog.toEntry(result(2, 'ok', true), 'x', new Date()).truncated, true, "the server's cap");
  const old = testLog.toEntry({ delivered: true, status_code: 200, error: null, latency_ms: 1 }, 'call.end', new Date());
  assert.equal(old.response_body, '', 'an answer without a body field');
  store.set('switchboard.tests.wh_3', '{not json');
  assert.deepEqual(testLog.readTestLog(storage, 'wh_3'), []);
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
  assert.equal(testLog.appendTestLog(full, 'wh_4', old).length, 1);
});

test('recover: blocked with a reason unless active; progress in words', () => {
  assert.equal(recover.recoverBlocked({ status: 'active' }), null);
  assert.match(recover.recoverBlocked({ status: 'inactive' }), /disabled: enable it first/);
  assert.match(recover.recoverBlocked({ status: 'failed' }), /Enable & resume it first/);
  const job = (over) => ({ id: 'rcv_1', status: 'done', queued: 0, total: 0, capped: false, limit: 10000, error: null, ...over });
  const table = [
    [{ status: 'running' }, /^Recovering…/],
    [{}, /^No delivery ran out of retries/],
    [{ queued: 1, total: 1 }, /^Queued 1 of 1 delivery that ran out of retries\.$/],
    [{ queued: 10000, total: 12345, capped: true }, /^Queued 10,000 of 12,345 deliveries.*at most 10,000: recover again/],
    [{ status: 'failed', error: 'webhook_not_active' }, /stopped being active/],
  ];
  for (const [over, want] of table) assert.match(recover.recoverProgress(job(over)), want);
});

test('retention: durations in words and the form both ways', () => {
  for (const [s, text] of [[3600, '1 hour'], [7200, '2 hours'], [86400, '1 day'], [2592000, '30 days'], [90, '90 seconds']]) {
    assert.equal(retention.durationText(s), text);
  }
  assert.deepEqual(retention.toForm(2592000), { value: '30', unit: 'days' });
  assert.deepEqual(retention.toForm(5400), { value: '2', unit: 'hours' });
  for (const [value, unit, seconds] of [['30', 'days', 2592000], [' 36 ', 'hours', 129600], ['1.5', 'days', 129600],
    ['0', 'hours', 0], ['', 'days', null], ['-1', 'days', null], ['ten', 'days', null], ['1e3', 'days', null]]) {
    assert.equal(retention.fromForm(value, unit), seconds, `${value} ${unit}`);
  }
});

test('alert channels: the body sent, the password write-only, what is true about a channel', () => {
  const webhook = { ...alerts.emptyChannelForm('webhook'), name: ' Pager ', url: ' https://ops.example.com/a ' };
  assert.deepEqual(alerts.channelBody(webhook, 'create'), {
    name: 'Pager', enabled: true, kind: 'webhook', url: 'https://ops.example.com/a',
    events: ['webhook.failed', 'webhook.disabled', 'webhook.degraded', 'webhook.recovered'],
  });
  const email = { ...alerts.emptyChannelForm('email'), name: 'Ops', host: 'smtp.example.com', tls: 'implicit',
    from: 'a@example.com', recipients: 'x@example.com\n y@example.com, z@example.com;', password: 'pw' };
  const body = alerts.channelBody(email, 'create');
  assert.deepEqual(body.smtp.recipients, ['x@example.com', 'y@example.com', 'z@example.com']);
  assert.equal(body.smtp.password, 'pw');
  assert.equal('port' in body.smtp, false, 'an empty port leaves the TLS mode\'s default to the server');
  const stored = { id: 'ach_1', name: 'Ops', kind: 'email', events: ['webhook.failed'], enabled: true,
    smtp: { host: 'h', port: 587, tls: 'starttls', username: 'u', password: '********', from: 'f@x.y', recipients: ['r@x.y'] },
    last_error: null, last_failure_at: null, last_success_at: null, created_at: '', updated_at: '' };
  const edit = alerts.formFromChannel(stored);
  assert.equal(edit.password, '', 'the stored password is never put in the form');
  const patch = alerts.channelBody(edit, 'edit');
  assert.equal('password' in patch.smtp, false, 'left empty, it is not sent: the server keeps it');
  assert.equal('kind' in patch, false);
  assert.equal(alerts.channelBody({ ...edit, port: '25x' }, 'edit').smtp.port, '25x', 'the server names a bad port');
  const t = (over) => alerts.channelState({ ...stored, ...over });
  assert.deepEqual(t({}), { tone: 'idle', text: 'No alert sent yet' });
  assert.equal(t({ enabled: false }).tone, 'off');
  assert.equal(t({ last_success_at: '2026-12-02T10:00:00.000Z' }).tone, 'ok');
  assert.deepEqual(t({ last_error: 'SMTP 535 auth failed', last_failure_at: '2026-12-02T11:00:00.000Z',
    last_success_at: '2026-12-02T10:00:00.000Z' }), { tone: 'failed', text: 'Last alert failed: SMTP 535 auth failed' });
  assert.equal(t({ last_error: 'x', last_failure_at: '2026-12-02T09:00:00.000Z',
    last_success_at: '2026-12-02T10:00:00.000Z' }).tone, 'ok', 'a success after the failure');
  const errors = [{ field: 'smtp.recipients[1]', code: 'invalid_value', message: 'Not an address.' },
    { field: 'name', code: 'required', message: 'Name is required.' }];
  assert.equal(formErrors.messageFor(errors, 'smtp.recipients', true), 'Not an address.');
  assert.equal(formErrors.messageFor(errors, 'smtp.from', true), undefined);
  assert.equal(alerts.shownAtField('events[2]'), true);
  assert.equal(alerts.shownAtField('smtp.nonsense'), false);
});

// ---- form errors (form-errors.ts, shared by the v2, v1 and alert forms) ----------

test('a refused request\'s field errors: its list, else its one field, else none', () => {
  const list = [{ field: 'url', code: 'invalid_url', message: 'Bad URL.' }];
  assert.deepEqual(formErrors.errorsOf({ code: 'validation_failed', message: 'x', errors: list }), list);
  assert.deepEqual(formErrors.errorsOf({ code: 'invalid_value', message: 'Too big.', field: 'max_rate', errors: [] }),
    [{ field: 'max_rate', code: 'invalid_value', message: 'Too big.' }]);
  assert.deepEqual(formErrors.errorsOf({ code: 'not_found', message: 'Gone.', errors: [] }), []);
});

test('messageFor: the exact field, or with prefix the fields below it; isAt', () => {
  const errors = [{ field: 'events[3]', code: 'unknown_event', message: 'Unknown.' },
    { field: 'auth.keys[0].value', code: 'required', message: 'Required.' }];
  assert.equal(formErrors.messageFor(errors, 'events'), undefined);
  assert.equal(formErrors.messageFor(errors, 'events', true), 'Unknown.');
  assert.equal(formErrors.messageFor(errors, 'auth', true), 'Required.');
  assert.equal(formErrors.messageFor(errors, 'auth.keys[0].value'), 'Required.');
  assert.equal(formErrors.isAt('headers[1].key', 'headers'), true);
  assert.equal(formErrors.isAt('headersX', 'headers'), false);
  assert.equal(formErrors.isAt(undefined, 'headers'), false);
});

test('bannerFor: what no field shows, the request\'s message, or a pointer to the fields', () => {
  const at = (f) => f === 'url' || f === 'name';
  const e = { message: 'Validation failed.' };
  const url = { field: 'url', code: 'c', message: 'Bad URL.' };
  const name = { field: 'name', code: 'c', message: 'Too long.' };
  const other = { field: 'nonsense', code: 'c', message: 'Unknown field.' };
  assert.equal(formErrors.bannerFor(e, [], at), 'Validation failed.');
  assert.equal(formErrors.bannerFor(e, [url], at), null);
  assert.equal(formErrors.bannerFor(e, [url, name], at), 'Please correct the fields marked below.');
  assert.equal(formErrors.bannerFor(e, [url, name], at, false), null);
  assert.equal(formErrors.bannerFor(e, [url, other], at), 'Unknown field.');
});

// ---- delivery controls in the webhook form (form-model.ts; issue 16 item 4) ------

test('delivery controls: empty fields are the defaults, digits numbers, the rest sent as typed', () => {
  const f = { ...form.emptyForm(), url: 'https://a.example/h', events: ['call.answered'] };
  const body = form.webhookBody(f, 'create');
  assert.equal(body.timeout_ms, 30000);
  assert.equal(body.max_in_flight, 32);
  assert.equal(body.max_rate, null, 'empty: unlimited');
  const set = form.webhookBody({ ...f, timeoutMs: '5,000', maxInFlight: ' 4 ', maxRate: '50' }, 'edit');
  assert.deepEqual([set.timeout_ms, set.max_in_flight, set.max_rate], [5000, 4, 50]);
  assert.equal(form.webhookBody({ ...f, maxRate: '2.5' }, 'create').max_rate, '2.5', 'the server names it');
  assert.equal(form.shownInline('max_rate', f), true);
  assert.equal(form.shownInline('timeout_ms', f), true);
  assert.equal(form.hasDeliveryControls(f), false);
  assert.equal(form.hasDeliveryControls({ ...f, maxRate: '10' }), true);
});

test('delivery controls of a stored webhook: defaults show empty, so an unchanged form stays unchanged', () => {
  const stored = {
    id: 'w', name: 'n', description: '', url: 'https://a.example/h', status: 'active',
    auth: { type: 'none' }, headers: [], events: ['call.answered'], filters: {}, has_secret: false,
    consecutive_failures: 0, last_delivery: null, created_at: '', updated_at: '',
  };
  const plain = form.formFromWebhook({ ...stored, timeout_ms: 30000, max_in_flight: 32, max_rate: null }, []);
  assert.deepEqual([plain.timeoutMs, plain.maxInFlight, plain.maxRate], ['', '', '']);
  const tuned = form.formFromWebhook({ ...stored, timeout_ms: 8000, max_in_flight: 2, max_rate: 50 }, []);
  assert.deepEqual([tuned.timeoutMs, tuned.maxInFlight, tuned.maxRate], ['8000', '2', '50']);
  assert.equal(form.formChanged(tuned, { ...tuned }), false);
  assert.equal(form.formChanged(tuned, { ...tuned, maxRate: '' }), true);
  assert.equal(form.webhookBody({ ...tuned, maxRate: '' }, 'edit').max_rate, null, 'cleared: back to unlimited');
});

test('delivery-control errors in the admin\'s words, other errors as the server said them', () => {
  const e = (field, code, message = 'x must be 1 to 2.') => ({ field, code, message });
  assert.match(form.inAdminWords(e('max_rate', 'invalid_value')).message, /^Enter a whole number of deliveries per second from 1 to 10,000/);
  assert.match(form.inAdminWords(e('timeout_ms', 'invalid_type')).message, /from 1,000 to 30,000/);
  assert.match(form.inAdminWords(e('max_in_flight', 'invalid_value')).message, /from 1 to 32/);
  assert.equal(form.inAdminWords(e('url', 'invalid_value')).message, 'x must be 1 to 2.');
  assert.equal(form.inAdminWords(e('max_rate', 'other')).message, 'x must be 1 to 2.');
});

test('delivery controls in a sentence for the webhook page', () => {
  assert.equal(form.deliveryControlsSummary({ timeout_ms: 30000, max_in_flight: 32, max_rate: null }),
    'Timeout 30 s · at most 32 at once · no rate limit');
  assert.equal(form.deliveryControlsSummary({ timeout_ms: 2500, max_in_flight: 2, max_rate: 1500 }),
    'Timeout 2.5 s · at most 2 at once · at most 1,500 per second');
});
