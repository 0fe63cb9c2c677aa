// Browser test of the dashboard against the real binary: `switchboard serve`
// with two `switchboard receive` sinks (one answering 200, one 500), driven
// through Debian's chromium. Usage: node dashboard_test.mjs path/to/switchboard
//
// Screenshots of the main screens go to $SWITCHBOARD_SCREENSHOTS when set
// (docs/screenshots holds the committed ones), else to a temporary folder.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  apiClient,
  check,
  chromiumPath,
  dashboardTestPrerequisites,
  makeCertificate,
  repoRoot,
  runBrowserTest,
  startProcess,
  steps,
  tempDir,
  waitDisabled,
} from './harness.mjs';

const { bin, chromium } = dashboardTestPrerequisites('dashboard_test.mjs');

const work = tempDir();
const shots = process.env.SWITCHBOARD_SCREENSHOTS
  ? path.resolve(process.env.SWITCHBOARD_SCREENSHOTS)
  : path.join(work, 'screenshots');
mkdirSync(shots, { recursive: true });

const processes = [];
let browser;
const pageErrors = [];

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

async function main() {
  const { cert, key } = makeCertificate(work);
  const receiverArgs = ['--listen', '127.0.0.1:0', '--cert', cert, '--key', key, '--quiet'];
  const okSink = startProcess(bin, ['receive', ...receiverArgs], { url: /Receiving on (\S+)/ }, 'receiver');
  const failSink = startProcess(
    bin,
    ['receive', ...receiverArgs, '--status', '500'],
    { url: /Receiving on (\S+)/ },
    'failing receiver',
  );
  const server = startProcess(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data', path.join(work, 'data'), '--allow-private-networks',
      '--ca-file', cert],
    { token: /^Owner token: (\S+)$/m, dashboard: /^Dashboard: (\S+)$/m },
    'serve',
  );
  processes.push(okSink, failSink, server);
  const [{ url: okUrl }, { url: failUrl }, { token: owner, dashboard }] = await Promise.all([
    okSink.ready,
    failSink.ready,
    server.ready,
  ]);
  const base = dashboard.replace(/\/$/, '');
  const asOwner = apiClient(base, owner);
  const hookUrl = (url) => new URL('/hooks', url).toString();

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) });
  const toast = (text) => page.locator('.toast', { hasText: text }).first().waitFor();
  const row = (name) => page.locator('table[aria-label="Webhooks"] tbody tr', { hasText: name });
  const menuOf = (name) => page.getByRole('button', { name: `Actions for ${name}` });
  let crm; // the webhook made through the form
  let failing;

  const ok = await steps([
    ['no HTML injection in the dashboard sources', () => {
      const offenders = listFiles(path.join(repoRoot, 'web', 'src')).filter((f) =>
        /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')),
      );
      if (offenders.length) throw new Error(`renders HTML: ${offenders.join(', ')}`);
    }],
    ['serves the dashboard with security and cache headers', async () => {
      const index = await fetch(base + '/');
      const html = await index.text();
      check(index.headers.get('content-type') === 'text/html; charset=utf-8', 'index content type');
      check(/default-src 'self'/.test(index.headers.get('content-security-policy') || ''), 'CSP');
      check(index.headers.get('x-frame-options') === 'DENY', 'X-Frame-Options');
      check(index.headers.get('x-content-type-options') === 'nosniff', 'nosniff');
      check(index.headers.get('cache-control') === 'no-cache', 'index is revalidated');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html);
      check(script, 'index names a hashed script');
      const asset = await fetch(base + script[1]);
      check(asset.status === 200 && /javascript/.test(asset.headers.get('content-type')), 'asset served');
      check(/immutable/.test(asset.headers.get('cache-control') || ''), 'asset immutable');
      const route = await fetch(base + '/webhooks');
      check(route.status === 200 && (await route.text()) === html, 'client route gets index.html');
      check((await fetch(base + '/assets/%2e%2e%2fsecret.js')).status === 404, 'encoded traversal refused');
      check((await fetch(base + '/api/v2/nothing')).status !== 200, '/api is never a file');
    }],
    ['signs in with the owner token', async () => {
      await page.goto(dashboard);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shot('sign-in');
      await page.getByLabel('API token').fill('sbt_not_a_real_token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That token is not valid.').waitFor();
      await page.getByLabel('API token').fill(owner);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    }],
    ['empty list offers "Create first Webhook"', async () => {
      await page.getByRole('button', { name: 'Create first Webhook' }).waitFor();
      check((await page.getByRole('button', { name: '+ Add Webhook' }).count()) === 0, 'no "+ Add Webhook" yet');
      await shot('webhooks-empty');
      await page.getByRole('button', { name: 'Create first Webhook' }).click();
    }],
    ['the form shows the server\'s field errors inline', async () => {
      const save = page.getByRole('button', { name: 'Save Webhook' });
      await waitDisabled(save, true);
      await page.getByLabel('Name', { exact: true }).fill('CRM sync');
      await page.getByLabel('Webhook URL').fill(hookUrl(okUrl).replace('https:', 'http:'));
      await page.getByRole('button', { name: '+ Add Header' }).click();
      await page.getByRole('button', { name: '+ Add Header' }).click();
      await page.getByLabel('Header name 1').fill('X-Source');
      await page.getByLabel('Header value 1').fill('switchboard');
      await page.getByLabel('Header name 2').fill('x-source');
      await page.getByLabel('Header value 2').fill('again');
      await page.getByRole('button', { name: /Call events/ }).click(); // expand the group
      await page.getByLabel('Select all Call events').check();
      await page.getByText('6 selected').first().waitFor();
      await page.getByRole('button', { name: /WhatsApp events/ }).click();
      await page.getByLabel(/Message Received/).check();
      await page.getByTestId('events-total').getByText('7 selected').waitFor();
      await waitDisabled(save, false);
      await save.click();
      await page.locator('#url-error', { hasText: 'Valid HTTPS URL required.' }).waitFor();
      await page.locator('.row-block', { has: page.getByLabel('Header name 2') })
        .getByText(/Duplicate header key/).waitFor();
      check((await page.getByLabel('Header name 2').getAttribute('aria-invalid')) === 'true', 'row 2 marked');
      await shot('webhook-form-errors');
    }],
    ['creates the webhook once the fields are fixed', async () => {
      await page.getByLabel('Webhook URL').fill(hookUrl(okUrl));
      check((await page.locator('#url-error').count()) === 0, 'URL error clears when edited');
      await page.getByRole('button', { name: 'Remove header 2' }).click();
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await toast('Webhook created');
      await page.getByTestId('signing-secret').getByText(/^whsec_/).waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('heading', { name: /CRM sync/ }).waitFor();
      crm = (await asOwner('GET', '/api/v2/webhooks')).data.find((w) => w.name === 'CRM sync');
      check(crm && crm.events.length === 7 && crm.headers.length === 1 && crm.has_secret, 'stored as entered');
    }],
    ['edits: Save stays disabled until something changed', async () => {
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const save = page.getByRole('button', { name: 'Save Webhook' });
      await page.getByLabel('Webhook URL').waitFor();
      await waitDisabled(save, true);
      await page.getByLabel('Description').fill('Sync calls to the CRM');
      await waitDisabled(save, false);
      await page.getByLabel('Description').fill('');
      await waitDisabled(save, true);
      await page.getByLabel('Description').fill('Sync calls to the CRM');
      await page.getByLabel('Inbound').check();
      await shot('webhook-form');
      await save.click();
      await toast('Webhook updated');
      await page.getByText('direction: inbound').waitFor();
    }],
    ['moving the URL to another origin asks for the credentials and the secret again', async () => {
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const save = page.getByRole('button', { name: 'Save Webhook' });
      await page.getByLabel('Webhook URL').waitFor();
      check((await page.getByLabel('Header value 1').inputValue()) === '********', 'header value masked');
      // The same receiver under another name: another origin.
      const moved = hookUrl(okUrl).replace('127.0.0.1', 'localhost');
      check(moved !== hookUrl(okUrl), 'the receiver URL names 127.0.0.1');
      await page.getByLabel('Webhook URL').fill(moved);
      await page.getByTestId('origin-notice').waitFor();
      await save.click();
      await page.locator('.row-block', { has: page.getByLabel('Header value 1') })
        .getByText(/another origin/).waitFor();
      await page.locator('.field-error', { hasText: /signing secret/ }).waitFor();
      check((await asOwner('GET', `/api/v2/webhooks/${crm.id}`)).url === hookUrl(okUrl), 'nothing changed');
      await shot('webhook-form-new-origin');
      await page.getByLabel('Header value 1').fill('switchboard');
      await page.getByLabel('Keep the current secret').check();
      await save.click();
      // Saved: the form leaves for the webhook's page (an earlier toast may still show).
      await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();
      const stored = await asOwner('GET', `/api/v2/webhooks/${crm.id}`);
      check(stored.url === moved, `moved (url ${stored.url})`);
      check(stored.has_secret && stored.headers[0].value === '********', 'secret kept, header masked');
    }],
    ['sends a test event and shows its result', async () => {
      await page.getByLabel('Test event type').selectOption('call.answered');
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByTestId('test-result').getByText(/Delivered · HTTP 200/).waitFor();
      await shot('webhook-detail');
    }],
    ['disables after the confirmation, and enables again', async () => {
      await page.getByRole('link', { name: '← Webhooks' }).click();
      await row('CRM sync').getByText('Active', { exact: true }).waitFor();
      await menuOf('CRM sync').click();
      await page.getByRole('menuitem', { name: 'Disable' }).click();
      await page.getByText('Are you sure you want to disable this webhook?').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Yes', exact: true }).click();
      await toast('Webhook disabled');
      await row('CRM sync').getByText('Inactive', { exact: true }).waitFor();
      check((await asOwner('GET', `/api/v2/webhooks/${crm.id}`)).status === 'inactive', 'stored inactive');
      await menuOf('CRM sync').click();
      await page.getByRole('menuitem', { name: 'Enable' }).click();
      await toast('Webhook enabled');
      await row('CRM sync').getByText('Active', { exact: true }).waitFor();
    }],
    ['inspects a failed attempt with payload, masked headers and response', async () => {
      failing = await asOwner('POST', '/api/v2/webhooks', {
        name: 'Legacy CRM',
        url: hookUrl(failUrl),
        auth: { type: 'basic', username: 'crm', password: 'hunter2-do-not-show' },
        events: ['call.answered'],
      });
      // A complete call.answered (the catalog's schema asks for status, times and legs).
      const now = new Date().toISOString();
      await asOwner('POST', '/api/v2/events', {
        type: 'call.answered',
        data: {
          call_id: 'c1', direction: 'inbound', from: '+919876543210', to: '+918044556677',
          status: 'in_progress', started_at: now, answered_at: now,
          legs: [
            { number: '+919876543210', role: 'customer', state: 'answered', started_at: now, answered_at: now },
          ],
        },
      });
      await page.reload();
      await row('Legacy CRM').getByRole('link', { name: 'Legacy CRM' }).click();
      // The failure log refreshes itself: the first attempt shows up without a reload.
      const inspect = page.getByRole('button', { name: /^Inspect attempt 1 of evt_/ });
      await inspect.waitFor();
      await page.locator('table[aria-label="Failed attempts"]').getByText('500').first().waitFor();
      await shot('failure-logs');
      await page.getByLabel('Filter by event type').selectOption('call.answered');
      await page.getByLabel('Filter by status').fill('500');
      await inspect.waitFor();
      await inspect.click();
      const dialog = page.getByRole('dialog', { name: 'Failed attempt' });
      await dialog.getByTestId('inspect-payload').getByText('"call_id": "c1"').waitFor();
      const headers = dialog.locator('table[aria-label="Request headers"]');
      await headers.getByText('X-MO-Event-Id', { exact: false }).first().waitFor();
      const auth = headers.locator('tr', { hasText: /^Authorization/i });
      check((await auth.locator('td').textContent()) === '********', 'Authorization masked');
      const text = await dialog.textContent();
      check(!text.includes(Buffer.from('crm:hunter2-do-not-show').toString('base64')), 'no credentials');
      check(!text.includes('hunter2'), 'no password');
      await dialog.getByTestId('inspect-outcome').getByText(/answered HTTP 500 \(Internal Server Error\)/).waitFor();
      check(!/http_status/.test(text), 'no raw error class');
      await shot('failure-inspect');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByRole('tab', { name: 'Delivery logs' }).click();
      await page.locator('table[aria-label="Deliveries"]').getByText('call.answered').first().waitFor();
    }],
    ['the list shows each webhook\'s health: delivered, or failing since when', async () => {
      await page.getByRole('link', { name: '← Webhooks' }).click();
      await row('CRM sync').getByTestId('webhook-health').getByText(/^Delivered/).waitFor();
      await row('Legacy CRM').getByTestId('webhook-health').getByText(/failing since \d/).waitFor();
      await page.getByRole('button', { name: '+ Add Webhook' }).waitFor();
      await shot('webhooks-list');
    }],
    ['deletes only after typing DELETE', async () => {
      await menuOf('CRM sync').click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete webhook' });
      const confirm = dialog.getByRole('button', { name: 'Delete' });
      await waitDisabled(confirm, true);
      await dialog.getByLabel('Type DELETE to confirm').fill('delete');
      await waitDisabled(confirm, true);
      await dialog.getByLabel('Type DELETE to confirm').fill('DELETE');
      await waitDisabled(confirm, false);
      await shot('delete-modal');
      await confirm.click();
      await toast('Webhook deleted');
      await row('CRM sync').waitFor({ state: 'detached' });
      const left = (await asOwner('GET', '/api/v2/webhooks')).data.map((w) => w.id);
      check(!left.includes(crm.id) && left.includes(failing.id), 'only that webhook deleted');
    }],
    ['the v1 tab warns that v1 is deprecated and shows the server\'s field errors inline', async () => {
      await page.getByRole('tab', { name: 'Calling webhooks v1' }).click();
      const notice = page.getByTestId('v1-deprecation');
      await notice.getByText('Calling webhooks v1 are deprecated.').waitFor();
      await notice.getByRole('link', { name: 'Webhooks v2' }).waitFor();
      // The sunset date comes with the list's answer (its Sunset header), after the static notice,
      // as a date an admin reads (not the raw HTTP date).
      await notice.getByText(/end date was|stop on/).waitFor();
      check(!/GMT|--v1|\/api\//.test(await notice.textContent()), 'no raw HTTP date, CLI flag or API path');
      await page.getByRole('button', { name: 'Create v1 Webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add v1 webhook' });
      const save = dialog.getByRole('button', { name: 'Save' });
      await dialog.getByLabel('Webhook type').selectOption('incall');
      await dialog.getByLabel('Target URL').fill(hookUrl(okUrl).replace('https:', 'http:'));
      await dialog.getByRole('button', { name: '+ Add Header' }).click();
      await dialog.getByLabel('Header name 1').fill('X-Legacy-Token');
      await dialog.getByLabel('Header value 1').fill('legacy-header-secret');
      await dialog.getByRole('button', { name: '+ Add Query Parameter' }).click();
      await dialog.getByRole('button', { name: '+ Add Query Parameter' }).click();
      await dialog.getByLabel('Parameter name 1').fill('key');
      await dialog.getByLabel('Parameter value 1').fill('legacy-query-secret');
      await dialog.getByLabel('Parameter name 2').fill('key');
      await dialog.getByLabel('Parameter value 2').fill('again');
      await dialog.getByRole('group', { name: 'Fields sent' }).getByLabel('uid', { exact: true }).check();
      await dialog.getByRole('group', { name: 'Fields sent' }).getByLabel('clid', { exact: true }).check();
      await save.click();
      await dialog.locator('#v1-url-error', { hasText: 'Valid HTTPS URL required.' }).waitFor();
      await dialog.getByLabel('Target URL').fill(hookUrl(okUrl));
      check((await dialog.locator('#v1-url-error').count()) === 0, 'URL error clears when edited');
      await save.click();
      // The server names the second query parameter's key.
      await dialog.locator('.row-block', { has: page.getByLabel('Parameter name 2') })
        .getByText(/given twice/).waitFor();
      check((await dialog.getByLabel('Parameter name 2').getAttribute('aria-invalid')) === 'true', 'row 2 marked');
      await shot('webhook-v1-form-errors');
    }],
    ['creates the v1 webhook once the fields are fixed', async () => {
      const dialog = page.getByRole('dialog', { name: 'Add v1 webhook' });
      await dialog.getByRole('button', { name: 'Remove query parameter 2' }).click();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await toast('v1 webhook created');
      await dialog.waitFor({ state: 'detached' });
      const row = page.locator('table[aria-label="Calling webhooks v1"] tbody tr', { hasText: 'In-call' });
      await row.getByText('uid, clid').waitFor();
      await row.getByText('Active', { exact: true }).waitFor();
      const list = (await asOwner('GET', '/api/v1/webhooks')).data;
      check(list.length === 1, 'one v1 webhook');
      const [v1] = list;
      check(v1.type === 'incall' && v1.url === hookUrl(okUrl) && v1.enabled, 'stored as entered');
      check(v1.headers[0].key === 'X-Legacy-Token' && v1.query[0].key === 'key', 'headers and query stored');
      check(v1.fields.join() === 'uid,clid', 'fields stored');
      check(!(await page.content()).includes('legacy-header-secret'), 'secrets are not shown');
      await shot('webhooks-v1');
    }],
    ['edits a v1 webhook: Save waits for a change, masked values are kept', async () => {
      await page.getByRole('button', { name: /^Actions for In-call webhook to / }).click();
      await page.getByRole('menuitem', { name: 'Edit' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit v1 webhook' });
      const save = dialog.getByRole('button', { name: 'Save' });
      await waitDisabled(save, true);
      check((await dialog.getByLabel('Header value 1').inputValue()) === '********', 'header value masked');
      await dialog.getByLabel('Webhook type').selectOption('after_call');
      await dialog.getByRole('group', { name: 'Fields sent' }).getByLabel('uid', { exact: true }).uncheck();
      await waitDisabled(save, false);
      await save.click();
      await toast('v1 webhook updated');
      const row = page.locator('table[aria-label="Calling webhooks v1"] tbody tr', { hasText: 'After call' });
      await row.getByText('clid', { exact: true }).waitFor();
      const [v1] = (await asOwner('GET', '/api/v1/webhooks')).data;
      check(v1.type === 'after_call' && v1.fields.join() === 'clid', 'edit stored');
      check(v1.headers.length === 1 && v1.query.length === 1, 'masked header and parameter kept');
    }],
    ['disables a v1 webhook after the confirmation, and enables it again', async () => {
      const row = page.locator('table[aria-label="Calling webhooks v1"] tbody tr', { hasText: 'After call' });
      await page.getByRole('button', { name: /^Actions for After call webhook to / }).click();
      await page.getByRole('menuitem', { name: 'Disable' }).click();
      const dialog = page.getByRole('dialog', { name: 'Disable v1 webhook' });
      await dialog.getByText('Are you sure you want to disable this v1 webhook?').waitFor();
      await dialog.getByRole('button', { name: 'Yes', exact: true }).click();
      await toast('v1 webhook disabled');
      await row.getByText('Inactive', { exact: true }).waitFor();
      check((await asOwner('GET', '/api/v1/webhooks')).data[0].enabled === false, 'stored disabled');
      await page.getByRole('button', { name: /^Actions for After call webhook to / }).click();
      await page.getByRole('menuitem', { name: 'Enable' }).click();
      await toast('v1 webhook enabled');
      await row.getByText('Active', { exact: true }).waitFor();
      check((await asOwner('GET', '/api/v1/webhooks')).data[0].enabled === true, 'stored enabled');
    }],
    ['deletes a v1 webhook after the confirmation', async () => {
      await page.getByRole('button', { name: /^Actions for After call webhook to / }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete v1 webhook' });
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await toast('v1 webhook deleted');
      await page.getByRole('button', { name: 'Create v1 Webhook' }).waitFor();
      check((await asOwner('GET', '/api/v1/webhooks')).data.length === 0, 'deleted');
      // The v2 list is untouched.
      await page.getByRole('tab', { name: 'Webhooks v2' }).click();
      await row('Legacy CRM').waitFor();
    }],
    ['the form\'s department and agent filters come from the directory', async () => {
      await asOwner('POST', '/api/v2/departments', { id: 'dep_support', name: 'Support' });
      await asOwner('POST', '/api/v2/departments', { id: 'dep_sales', name: 'Sales' });
      await asOwner('POST', '/api/v2/agents', { id: 'agt_asha', name: 'Asha Rao', department_id: 'dep_support' });
      await page.reload(); // the directory is read once per page
      await menuOf('Legacy CRM').click();
      await page.getByRole('menuitem', { name: 'Edit' }).click();
      const departments = page.getByRole('group', { name: 'Departments' });
      await departments.getByLabel('Support').check();
      check((await departments.getByRole('checkbox').count()) === 2, 'both departments offered');
      await page.getByRole('group', { name: 'Agents' }).getByLabel('Asha Rao').check();
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await toast('Webhook updated');
      // The webhook's page names them (not their ids).
      await page.getByText('departments: Support; agents: Asha Rao').waitFor();
      const stored = await asOwner('GET', `/api/v2/webhooks/${failing.id}`);
      check(stored.filters.department_ids.join() === 'dep_support', 'department filter stored');
      check(stored.filters.agent_ids.join() === 'agt_asha', 'agent filter stored');
      await page.getByRole('link', { name: '← Webhooks' }).click();
      await row('Legacy CRM').waitFor();
    }],
    ['an agent sees no Webhooks menu', async () => {
      const agent = await asOwner('POST', '/api/v2/users', { name: 'Asha Agent', email: 'asha@example.com', role: 'agent' });
      const agentContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const agentPage = await agentContext.newPage();
      agentPage.setDefaultTimeout(15000);
      agentPage.on('pageerror', (e) => pageErrors.push(String(e)));
      await agentPage.goto(dashboard);
      await agentPage.getByLabel('API token').fill(agent.token);
      await agentPage.getByRole('button', { name: 'Sign in' }).click();
      await agentPage.getByTestId('role').getByText('agent').waitFor();
      const nav = agentPage.getByRole('navigation');
      await nav.getByRole('link', { name: 'Home' }).waitFor();
      check((await nav.getByRole('link', { name: 'Webhooks' }).count()) === 0, 'no Webhooks menu');
      check((await nav.getByText('APIs & Webhooks').count()) === 0, 'no APIs & Webhooks group');
      await agentPage.goto(dashboard + '#/webhooks');
      await agentPage.getByText('Not available for your role').waitFor();
      await agentContext.close();
    }],
    ['a manager sees Webhooks only with the owner\'s grant', async () => {
      const manager = await asOwner('POST', '/api/v2/users', { name: 'Mo Manager', email: 'mo@example.com', role: 'manager' });
      const managerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const managerPage = await managerContext.newPage();
      managerPage.setDefaultTimeout(15000);
      managerPage.on('pageerror', (e) => pageErrors.push(String(e)));
      const signIn = async () => {
        await managerPage.goto(dashboard);
        await managerPage.getByLabel('API token').fill(manager.token);
        await managerPage.getByRole('button', { name: 'Sign in' }).click();
        await managerPage.getByTestId('role').getByText('manager').waitFor();
      };
      await signIn();
      const nav = managerPage.getByRole('navigation');
      check((await nav.getByRole('link', { name: 'Webhooks' }).count()) === 0, 'no Webhooks menu without the grant');
      await asOwner('PUT', '/api/v2/permissions', { managers_can_manage_webhooks: true });
      await managerPage.getByRole('button', { name: 'Sign out' }).click();
      await signIn();
      await nav.getByRole('link', { name: 'Webhooks' }).click();
      await managerPage.getByRole('link', { name: 'Legacy CRM' }).waitFor();
      await managerContext.close();
    }],
    ['no script errors or CSP violations', () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
    }],
  ]);
  return ok;
}

await runBrowserTest(main, { browser: () => browser, processes, work });
