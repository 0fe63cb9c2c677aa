// Browser test of the console (issue 17 items 5, 8, 9) against the real
// binary and a real receiver answering 500, at 1400×900 and 390×844, in the
// light and the dark colour scheme (prefers-color-scheme):
// - Home: each webhook's health, the recent failures;
// - true states: the list and the webhook page say "Failing since hh:mm"
//   (never "pending"), a delivery held behind an earlier failing event of
//   its call says "waiting for an earlier event of this call", the failing
//   one "retry 2 of 26 at hh:mm";
// - a delivery's panel: the attempt timeline (HTTP 500, latency, the next
//   retry with a countdown), Copy cURL (the signature headers as sent, never
//   the signing secret), Resend;
// - Search by phone number, event id and call id, with links that open the
//   delivery;
// - Call Logs' recent calls: names from the directory, a stale call shown
//   as stale, the department filter;
// - Settings: the owner's managers switch, an ingest token created (shown
//   once) and revoked (then refused), a token for an agent user acting as
//   the agent, each token's last use;
// - Replay a time range; a Failed webhook's banner with Enable & resume
//   (a second server at --time-scale 3600 fails its webhook in seconds);
// - no sideways scroll, and axe-core finds no serious or critical violation
//   (colour contrast included) on each page and dialog.
// Usage: node console_test.mjs path/to/switchboard
import path from 'node:path';
import {
  VIEWS,
  callEvent as harnessCallEvent,
  check,
  consoleTest,
  waitUntil as waitFor,
} from './harness.mjs';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CALLER = '+919811122233';
let shots;
// A signed-in tab at the view's size and colour scheme, with axe and the
// sideways-scroll check (harness.mjs).
let session;

// The caller's call events; an answer names the agent and department.
const callEvent = (type, callId) =>
  harnessCallEvent(type, callId, {
    from: CALLER,
    extra: type === 'call.answered' ? { agent_id: 'a1', department_id: 'd1' } : {},
  });

consoleTest('console_test.mjs', async (t) => {
  ({ shots, session } = t);
  const { urls: [sinkUrl], tls } = await t.tlsReceivers([500]);
  const { owner, base, asOwner } = await t.serve(tls);
  const hook = await asOwner('POST', '/api/v2/webhooks', {
    name: 'Failing hook', url: sinkUrl, events: ['call'], secret: SECRET,
  });
  await asOwner('POST', '/api/v2/users', { name: 'Dev Agent', email: 'dev.agent@example.com', role: 'agent' });
  await asOwner('POST', '/api/v2/departments', { id: 'd1', name: 'Sales' });
  await asOwner('POST', '/api/v2/agents', { id: 'a1', name: 'Asha Rao', email: 'asha@example.com', department_id: 'd1' });
  // A call whose only event is 15 minutes old: stale, not ringing for ever.
  await asOwner('POST', '/api/v2/events', {
    ...callEvent('call.initiated', 'stale-call'),
    occurred_at: new Date(Date.now() - 15 * 60000).toISOString(),
  });
  await asOwner('POST', '/api/v2/events', callEvent('call.initiated', 'held-call'));
  await asOwner('POST', '/api/v2/events', callEvent('call.answered', 'held-call'));
  const deliveries = await waitFor('the first attempt to fail and the second event to be held', async () => {
    const page = await asOwner('GET', `/api/v2/webhooks/${hook.id}/deliveries`);
    const [held, head] = page.data;
    return head?.attempts >= 1 && held?.waiting_for_earlier ? { head, held } : null;
  });

  // A second server whose policy runs 3600× faster: three deliveries exhaust
  // their (24 s) window and its webhook becomes Failed.
  const fast = await t.serve([...tls, '--time-scale', '3600'], path.join(t.work, 'fast'));
  const failed = await fast.asOwner('POST', '/api/v2/webhooks', {
    name: 'Failed hook', url: sinkUrl, events: ['call'],
  });
  for (let i = 0; i < 3; i += 1) await fast.asOwner('POST', '/api/v2/events', callEvent('call.initiated', `f${i}`));

  await t.launch();
  const list = [];
  for (const view of VIEWS) list.push(...viewSteps(view, { base, owner, hook, deliveries }));
  list.push([
    'a Failed webhook: "failing since" banner, Enable & resume',
    async () => {
      await waitFor('the fast webhook to fail', async () =>
        (await fast.asOwner('GET', `/api/v2/webhooks/${failed.id}`)).status === 'failed', 90000);
      for (const view of [VIEWS[0], VIEWS[3]]) {
        const { context, page, audit } = await session(view, fast.base, fast.owner);
        await page.goto(`${fast.base}/#/webhooks`);
        const health = page.locator('tr', { hasText: 'Failed hook' }).getByTestId('webhook-health');
        await health.getByText(/failing since \d\d:\d\d/).waitFor();
        check(!/pending|just now/i.test(await health.textContent()), 'a Failed webhook never reads "pending just now"');
        await page.goto(`${fast.base}/#/webhooks/${failed.id}`);
        const banner = page.getByTestId('health-banner');
        await banner.getByText(/Failing since \d\d:\d\d/).waitFor();
        await banner.getByText(/fix the endpoint, then Enable & resume/).waitFor();
        await audit('failed webhook page');
        if (view.scheme === 'light') await page.screenshot({ path: path.join(shots, 'webhook-failed-banner.png') });
        await banner.getByRole('button', { name: 'Enable & resume' }).click();
        await page.locator('.toast', { hasText: 'deliveries resume' }).waitFor();
        await page.getByRole('heading', { level: 1 }).getByText('Active').waitFor();
        await fast.asOwner('POST', `/api/v2/webhooks/${failed.id}/disable`);
        await fast.asOwner('POST', `/api/v2/webhooks/${failed.id}/enable`);
        await context.close();
        // Fail it again for the next view: three more exhausted deliveries.
        if (view === VIEWS[0]) {
          for (let i = 0; i < 3; i += 1) await fast.asOwner('POST', '/api/v2/events', callEvent('call.initiated', `g${i}`));
          await waitFor('the fast webhook to fail again', async () =>
            (await fast.asOwner('GET', `/api/v2/webhooks/${failed.id}`)).status === 'failed', 90000);
        }
      }
    },
  ]);
  return t.run(list);
});

function viewSteps(view, { base, owner, hook, deliveries }) {
  let context;
  let page;
  let audit;
  const light = view.scheme === 'light';
  const shot = (name) => light && page.screenshot({ path: path.join(shots, `${view.name === 'phone' ? 'phone-' : ''}${name}.png`) });
  const tag = view.name;
  return [
    [`${tag}: the list says the webhook is failing and since when`, async () => {
      ({ context, page, audit } = await session(view, base, owner));
      await page.goto(`${base}/#/webhooks`);
      const health = page.locator('tr', { hasText: 'Failing hook' }).getByTestId('webhook-health');
      await health.getByText(/failing since \d\d:\d\d/).waitFor();
      check(!/pending/i.test(await health.textContent()), 'no "pending" for a failing webhook');
      await audit('webhooks list');
    }],
    [`${tag}: Home: each webhook's health and the recent failures`, async () => {
      await page.goto(`${base}/#/`);
      const health = page.getByRole('region', { name: 'Delivery health' });
      await health.getByTestId('home-health').filter({ hasText: 'Failing hook' }).getByText(/failing since \d\d:\d\d/).waitFor();
      const failures = page.getByRole('table', { name: 'Recent failures' });
      await failures.getByText('HTTP 500').first().waitFor();
      await audit('home with delivery health');
      await shot('home-health');
    }],
    [`${tag}: the delivery log says what is true`, async () => {
      await page.goto(`${base}/#/webhooks/${hook.id}`);
      await page.getByTestId('health-banner').getByText(/Failing since \d\d:\d\d/).waitFor();
      await page.getByRole('tab', { name: 'Delivery logs' }).click();
      const heldRow = page.locator(`tr[data-delivery-id="${deliveries.held.id}"]`);
      await heldRow.getByText('waiting for an earlier event of this call').waitFor();
      const heldText = await heldRow.textContent();
      check(!/0 attempts|Next attempt.*\d{4}/.test(heldText), `the held row shows no past next attempt (${heldText})`);
      const headRow = page.locator(`tr[data-delivery-id="${deliveries.head.id}"]`);
      await headRow.getByText(/retry \d+ of 26 at \d\d:\d\d/).waitFor();
      await audit('delivery log');
      await shot('delivery-states');
    }],
    [`${tag}: a delivery's timeline, copy cURL, Resend`, async () => {
      await page.locator(`tr[data-delivery-id="${deliveries.head.id}"]`).getByRole('button', { name: /^Details/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Delivery' });
      const timeline = dialog.getByRole('list', { name: 'Attempt timeline' });
      await timeline.getByText(/Attempt 1 · HTTP 500/).waitFor();
      await dialog.getByTestId('timeline-next').getByText(/retry \d+ of 26 at .*\((in .*|now)\)/).waitFor();
      await audit('delivery panel', dialog);
      await shot('delivery-panel');
      await dialog.getByRole('button', { name: 'Copy cURL' }).click();
      await page.locator('.toast', { hasText: 'copied' }).first().waitFor();
      const curl = await page.evaluate(() => navigator.clipboard.readText());
      check(/^curl -X POST 'https:\/\/127\.0\.0\.1:\d+\/hooks'/m.test(curl), `a cURL command (${curl.slice(0, 80)})`);
      check(/-H 'X-MO-Signature: sha256=[0-9a-f]{64}'/.test(curl), 'the signature header as sent');
      check(!curl.includes(SECRET) && !curl.includes(SECRET.slice(6)), 'never the signing secret');
      check(/--data-binary '\{.*"held-call"/s.test(curl), 'the payload');
      await dialog.getByRole('button', { name: 'Copy event id' }).click();
      await page.waitForFunction(
        async (id) => (await navigator.clipboard.readText()) === id,
        deliveries.head.event_id,
      );
      await dialog.getByRole('button', { name: 'Resend' }).click();
      await page.locator('.toast', { hasText: 'Resent' }).first().waitFor();
      // The panel now shows the new delivery (no attempt yet, or its first failure).
      await dialog.getByTestId('panel-state').getByText(/Queued|Waiting|Retrying/).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    }],
    [`${tag}: Search by phone number and call id links to the deliveries`, async () => {
      await page.goto(`${base}/#/search`);
      await page.getByLabel('Event id, call id or phone number').fill('+91 98111 22233');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const results = page.getByRole('table', { name: 'Search results' });
      await results.locator('tbody tr').nth(1).waitFor();
      check((await results.getByText('Phone number').count()) >= 2, 'found by phone number');
      await audit('search results');
      await shot('search');
      // By event id: the one delivery of that event to this webhook.
      await page.goto(`${base}/#/search/${deliveries.head.event_id}`);
      await results.getByText('Event id').first().waitFor();
      await results.locator(`a[href*="${deliveries.head.id}"]`).first().waitFor();
      await page.goto(`${base}/#/search/held-call`);
      await results.getByText('Call id').first().waitFor();
      await results.locator('tbody tr').first().getByRole('link', { name: 'Failing hook' }).first().click();
      await page.getByRole('dialog', { name: 'Delivery' }).waitFor();
      await page.keyboard.press('Escape');
    }],
    [`${tag}: Call Logs: recent calls with names, stale calls, the department filter`, async () => {
      await page.goto(`${base}/#/calls`);
      const recent = page.getByRole('table', { name: 'Recent calls' });
      const held = recent.locator('tr[data-history-call-id="held-call"]');
      await held.getByText('Asha Rao').waitFor();
      await held.getByText('Sales').waitFor();
      await held.getByText('Connected').waitFor();
      const stale = recent.locator('tr[data-history-call-id="stale-call"]');
      await stale.getByText('Stale').waitFor();
      await stale.getByText(/no update for 1\d min/).waitFor();
      await audit('call logs with recent calls');
      await shot('call-logs-recent');
      await page.getByLabel('Filter by department').selectOption({ label: 'Sales' });
      await stale.waitFor({ state: 'detached' });
      await held.waitFor();
    }],
    [`${tag}: Replay a time range`, async () => {
      await page.goto(`${base}/#/webhooks/${hook.id}`);
      const replay = page.getByRole('region', { name: 'Replay' });
      const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      await replay.getByLabel('Replay from').fill(local(new Date(Date.now() - 3600000)));
      await replay.getByLabel('Replay to').fill(local(new Date(Date.now() + 120000)));
      await replay.getByRole('button', { name: 'Replay' }).click();
      await replay.getByTestId('replay-result').getByText(/Queued \d+ deliver/).waitFor();
      await audit('webhook page with replay');
    }],
    [`${tag}: Settings: the managers switch, create and revoke a token`, async () => {
      await page.goto(`${base}/#/settings`);
      const permissions = page.getByRole('region', { name: 'Permissions' });
      const toggle = permissions.getByRole('switch', { name: 'Managers can manage webhooks' });
      const was = await toggle.isChecked();
      await toggle.click({ force: true });
      await page.waitForFunction(async ({ base, owner, want }) => {
        const r = await fetch(`${base}/api/v2/permissions`, { headers: { Authorization: `Bearer ${owner}` } });
        return (await r.json()).managers_can_manage_webhooks === want;
      }, { base, owner, want: !was });
      const tokens = page.getByRole('region', { name: 'API tokens' });
      await tokens.getByLabel('Token for').selectOption('ingest');
      await tokens.getByLabel('Expires').selectOption({ label: '30 days' });
      await tokens.getByRole('button', { name: 'Create token' }).click();
      const shown = await tokens.getByTestId('new-token').locator('code').textContent();
      check(/^sbi_/.test(shown), `the new ingest token is shown once (${shown.slice(0, 8)})`);
      const row = tokens.locator('tbody tr', { hasText: shown.slice(0, 8) });
      await row.getByText('Publishing events only').waitFor();
      // The list says when each token was last used: the owner's, by this tab, not "Never".
      check((await row.locator('td[data-label="Last used"]').textContent()) === 'Never', 'a new token: never used');
      const mine = tokens.locator('tbody tr', { hasText: owner.slice(0, 8) }).locator('td[data-label="Last used"]');
      check((await mine.textContent()) !== 'Never', `the owner's token was used (${await mine.textContent()})`);
      // A token for a user acts with their role (an agent here).
      await tokens.getByLabel('Token for').selectOption({ label: 'Dev Agent (agent)' });
      await tokens.getByRole('button', { name: 'Create token' }).click();
      const agentToken = await tokens.getByTestId('new-token').locator('code').filter({ hasNotText: shown }).textContent();
      const me = await (await fetch(`${base}/api/v2/me`, { headers: { Authorization: `Bearer ${agentToken}` } })).json();
      check(me.role === 'agent' && me.user?.name === 'Dev Agent', `the new token acts as the agent (${me.role})`);
      await tokens.locator('tbody tr', { hasText: agentToken.slice(0, 8) }).getByText(/Dev Agent/).waitFor();
      await audit('settings');
      await shot('settings');
      await row.getByRole('button', { name: /^Revoke/ }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke token' });
      await audit('revoke dialog', confirm);
      await confirm.getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('revoked').waitFor();
      const r = await fetch(`${base}/api/v2/me`, { headers: { Authorization: `Bearer ${shown}` } });
      check(r.status === 401, `a revoked token is refused (${r.status})`);
      await context.close();
    }],
  ];
}

