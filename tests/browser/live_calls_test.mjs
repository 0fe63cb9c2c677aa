// Browser test of Call Logs → Live updates against the real binary: `serve`
// (no receivers needed), call events published through POST /api/v2/events,
// and the dashboard in Debian's chromium reading GET /api/v2/live/calls.
// Usage: node live_calls_test.mjs path/to/switchboard
//
// Each state change must be visible within 1 s of its publish (spec §7),
// measured from before the POST to the row showing it.
// Screenshots go to $SWITCHBOARD_SCREENSHOTS when set, else to a temporary folder.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  apiClient,
  check,
  chromiumPath,
  dashboardTestPrerequisites,
  runBrowserTest,
  startProcess,
  steps,
  tempDir,
} from './harness.mjs';

const { bin, chromium } = dashboardTestPrerequisites('live_calls_test.mjs');

const work = tempDir();
const shots = process.env.SWITCHBOARD_SCREENSHOTS
  ? path.resolve(process.env.SWITCHBOARD_SCREENSHOTS)
  : path.join(work, 'screenshots');
mkdirSync(shots, { recursive: true });

const LATENCY_LIMIT_MS = 1000;
const COMPANY_NUMBER = '+918040000102';
const processes = [];
let browser;
const pageErrors = [];

// Call events as the telephony side publishes them (docs/events.md).
function callEvent(type, call, extra = {}) {
  const now = new Date().toISOString();
  const customer = { number: call.from, role: 'customer', state: 'answered', started_at: call.started, answered_at: call.started };
  const agentLeg = (state, more = {}) => ({
    number: '+919876500021', role: 'agent', state, started_at: call.started, agent_id: 'agt_asha', ...more,
  });
  const base = {
    call_id: call.id, direction: 'inbound', from: call.from, to: COMPANY_NUMBER, started_at: call.started,
    ...(call.department ? { department_id: call.department } : {}),
  };
  if (type === 'call.initiated') {
    return { type, data: { ...base, status: 'initiated', duration_sec: 0, legs: [customer] } };
  }
  if (type === 'call.dial_begin') {
    return { type, data: { ...base, status: 'ringing', legs: [customer, agentLeg('ringing')] } };
  }
  if (type === 'call.answered') {
    return {
      type,
      data: {
        ...base, status: 'in_progress', answered_at: now, agent_id: 'agt_asha',
        legs: [customer, agentLeg('answered', { answered_at: now })],
      },
    };
  }
  // call.end: completed, or extra.status (missed: the agent did not answer).
  const status = extra.status ?? 'completed';
  const answered = status === 'completed';
  return {
    type: 'call.end',
    data: {
      ...base, status, ended_at: now, duration_sec: 5,
      ...(answered ? { answered_at: call.started, agent_id: 'agt_asha' } : {}),
      legs: [
        { ...customer, state: 'completed', ended_at: now },
        agentLeg(answered ? 'completed' : 'no_answer', { ended_at: now, ...(answered ? { answered_at: call.started } : {}) }),
      ],
    },
  };
}

function newCall(id, from, department) {
  return { id, from, started: new Date().toISOString(), department };
}

async function main() {
  let server = startProcess(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data', path.join(work, 'data')],
    { token: /^Owner token: (\S+)$/m, dashboard: /^Dashboard: (\S+)$/m },
    'serve',
  );
  processes.push(server);
  const { token: owner, dashboard } = await server.ready;
  const base = dashboard.replace(/\/$/, '');
  const asOwner = apiClient(base, owner);
  const publish = (type, call, extra) => asOwner('POST', '/api/v2/events', callEvent(type, call, extra));

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) });
  const liveRow = (p, id) => p.locator(`table[aria-label="Live calls"] tbody tr[data-call-id="${id}"]`);
  const toggle = (p) => p.getByRole('switch', { name: 'Live updates' });
  const waitLive = (p) => p.getByTestId('live-status').getByText('Live', { exact: true }).waitFor();

  // Publishes one event and waits for the row to show `label`; returns the milliseconds it took.
  const timed = async (p, type, call, label, extra) => {
    const started = Date.now();
    await publish(type, call, extra);
    await liveRow(p, call.id).locator('.pill', { hasText: label }).waitFor({ timeout: 5000 });
    return Date.now() - started;
  };
  const latencies = [];

  const early = newCall('call_before_watch', '+919812340001', 'dep_sales');
  const life = newCall('call_lifecycle', '+919812340002', 'dep_support');

  const ok = await steps([
    ['the directory feeds names and the department picker', async () => {
      await asOwner('POST', '/api/v2/departments', { id: 'dep_support', name: 'Support' });
      await asOwner('POST', '/api/v2/departments', { id: 'dep_sales', name: 'Sales' });
      await asOwner('POST', '/api/v2/agents', { id: 'agt_asha', name: 'Asha Rao', department_id: 'dep_support' });
    }],
    ['Call Logs is in the menu; live updates start off', async () => {
      await page.goto(dashboard);
      await page.getByLabel('API token').fill(owner);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Call Logs' }).click();
      await page.getByRole('heading', { name: 'Call Logs' }).waitFor();
      await page.getByText('Live updates are off', { exact: true }).waitFor();
      check(!(await toggle(page).isChecked()), 'toggle off');
    }],
    ['a call already ringing shows at once when live updates are turned on (snapshot)', async () => {
      await publish('call.initiated', early);
      const started = Date.now();
      await toggle(page).check();
      await liveRow(page, early.id).locator('.pill', { hasText: 'Ringing' }).waitFor({ timeout: 5000 });
      const took = Date.now() - started;
      check(took < LATENCY_LIMIT_MS, `snapshot shown within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
      await liveRow(page, early.id).getByText('+919812340001').waitFor();
      await liveRow(page, early.id).getByText('Sales').waitFor();
      await waitLive(page);
    }],
    ['a call moves Ringing → Connected → Disconnected, each within 1 s of its publish', async () => {
      latencies.push(['ringing', await timed(page, 'call.initiated', life, 'Ringing')]);
      latencies.push(['connected', await timed(page, 'call.answered', life, 'Connected')]);
      await liveRow(page, life.id).getByText('Asha Rao').waitFor();
      await liveRow(page, life.id).getByText('Support').waitFor();
      await shot('call-logs-live');
      latencies.push(['disconnected', await timed(page, 'call.end', life, 'Disconnected')]);
      console.log(`     publish → visible: ${latencies.map(([s, ms]) => `${s} ${ms} ms`).join(', ')}`);
      for (const [state, ms] of latencies) {
        check(ms < LATENCY_LIMIT_MS, `${state} within ${LATENCY_LIMIT_MS} ms of the publish (took ${ms} ms)`);
      }
      check((await liveRow(page, life.id).getAttribute('class')) === 'row-ended', 'ended call greyed');
    }],
    ['a missed call shows Missed; ended calls drop after about 10 s', async () => {
      const missed = newCall('call_missed', '+919812340003');
      await timed(page, 'call.initiated', missed, 'Ringing');
      await timed(page, 'call.dial_begin', missed, 'Ringing');
      const took = await timed(page, 'call.end', missed, 'Missed', { status: 'missed' });
      check(took < LATENCY_LIMIT_MS, `missed within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
      await liveRow(page, life.id).waitFor({ state: 'detached', timeout: 15000 });
      await liveRow(page, missed.id).waitFor({ state: 'detached', timeout: 15000 });
      await liveRow(page, early.id).waitFor(); // still ringing: it stays
    }],
    ['a number filter reopens the stream and hides other calls', async () => {
      const wanted = newCall('call_wanted', '+919812340004');
      const other = newCall('call_other', '+919812340005');
      await page.getByLabel('Filter by number').fill('+91 98123-40004, +919812349999');
      // The stream is opened again: the early call (another number) leaves the table.
      await liveRow(page, early.id).waitFor({ state: 'detached', timeout: 5000 });
      await waitLive(page);
      await publish('call.initiated', other);
      const took = await timed(page, 'call.initiated', wanted, 'Ringing');
      check(took < LATENCY_LIMIT_MS, `filtered call within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
      check((await liveRow(page, other.id).count()) === 0, 'the other number is hidden');
      await page.getByLabel('Filter by number').fill('');
      await liveRow(page, other.id).waitFor({ timeout: 5000 }); // back from the new snapshot
      await liveRow(page, early.id).waitFor();
    }],
    ['a bad number is shown beside the filter', async () => {
      await page.getByLabel('Filter by number').fill('not-a-number');
      await page.locator('.live-filters .field-error').waitFor();
      check((await page.getByLabel('Filter by number').getAttribute('aria-invalid')) === 'true', 'field marked');
      await page.getByLabel('Filter by number').fill('');
      await waitLive(page);
    }],
    ['the department picker comes from the directory and filters', async () => {
      const picker = page.getByLabel('Filter by department');
      const options = await picker.locator('option').allTextContents();
      check(options.join('|') === 'All departments|Sales|Support', `department options: ${options.join('|')}`);
      await picker.selectOption({ label: 'Support' });
      await liveRow(page, early.id).waitFor({ state: 'detached', timeout: 5000 }); // Sales
      await waitLive(page);
      const support = newCall('call_support', '+919812340006', 'dep_support');
      const took = await timed(page, 'call.initiated', support, 'Ringing');
      check(took < LATENCY_LIMIT_MS, `department call within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
      check((await liveRow(page, 'call_other').count()) === 0, 'a call without the department is hidden');
      await picker.selectOption({ label: 'All departments' });
      await liveRow(page, early.id).waitFor({ timeout: 5000 });
    }],
    ['turning live updates off closes the stream and empties the table', async () => {
      await toggle(page).uncheck();
      await page.getByText('Live updates are off', { exact: true }).waitFor();
      check((await page.locator('table[aria-label="Live calls"]').count()) === 0, 'no table');
      await toggle(page).check();
      await liveRow(page, early.id).waitFor({ timeout: 5000 });
    }],
    ['the widget reconnects by itself when the server restarts', async () => {
      await waitLive(page);
      await server.stop();
      await page.getByTestId('live-status').getByText(/Reconnecting in/).waitFor({ timeout: 5000 });
      server = startProcess(
        bin,
        ['serve', '--listen', new URL(dashboard).host, '--data', path.join(work, 'data')],
        { dashboard: /^Dashboard: (\S+)$/m },
        'serve again',
      );
      processes.push(server);
      await server.ready;
      // The widget takes the new server's snapshot, which the server rebuilt
      // from the stored events: the call that was ringing is still there.
      await waitLive(page);
      await liveRow(page, early.id).locator('.pill', { hasText: 'Ringing' }).waitFor({ timeout: 5000 });
      const after = newCall('call_after_restart', '+919812340007');
      const took = await timed(page, 'call.initiated', after, 'Ringing');
      check(took < LATENCY_LIMIT_MS, `after the restart within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
    }],
    ['an agent can open Call Logs and watch', async () => {
      const agent = await asOwner('POST', '/api/v2/users', { name: 'Asha Rao', email: 'asha@example.com', role: 'agent' });
      const agentContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      const agentPage = await agentContext.newPage();
      agentPage.setDefaultTimeout(15000);
      agentPage.on('pageerror', (e) => pageErrors.push(String(e)));
      await agentPage.goto(dashboard);
      await agentPage.getByLabel('API token').fill(agent.token);
      await agentPage.getByRole('button', { name: 'Sign in' }).click();
      await agentPage.getByTestId('role').getByText('agent').waitFor();
      await agentPage.getByRole('navigation').getByRole('link', { name: 'Call Logs' }).click();
      await toggle(agentPage).check();
      await liveRow(agentPage, early.id).locator('.pill', { hasText: 'Ringing' }).waitFor({ timeout: 5000 });
      await waitLive(agentPage);
      const took = await timed(agentPage, 'call.answered', early, 'Connected');
      check(took < LATENCY_LIMIT_MS, `agent sees the change within ${LATENCY_LIMIT_MS} ms (took ${took} ms)`);
      await agentContext.close();
    }],
    ['no script errors or CSP violations', () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
    }],
  ]);
  return ok;
}

await runBrowserTest(main, { browser: () => browser, processes, work });
