// Browser test of Settings → Alert channels and Home's "events today"
// (issue 17 items 7 and 10) against the real binary, at 1400×900 and
// 390×844, light and dark:
// - Home: "Events today" is the server's count (GET /api/v2/stats/today),
//   and the alert channels line says none are set and links to them;
// - add an alert webhook: the server's field errors at the fields (empty
//   name, an http:// URL), then its signing secret shown once; Send test
//   reaches a loopback receiver;
// - add an e-mail channel (STARTTLS): a bad recipient at its field; the
//   password is write-only (never in the page after saving, kept on edit);
// - editing asks before leaving ("Discard changes?"), focus starts in Name;
// - the degraded threshold: a refused value at its field, then saved;
// - delete with its confirmation; no sideways scroll, axe finds no serious or
//   critical violation on the page, the form and each dialog.
// Usage: node console_alerts_test.mjs path/to/switchboard
import path from 'node:path';
import { VIEWS, callEvent, check, consoleTest } from './harness.mjs';

const PASSWORD = 'smtp-pw-Qx71-never-shown';
let shots;
let session;

consoleTest('console_alerts_test.mjs', async (t) => {
  ({ shots } = t);
  const { urls: [sinkUrl], tls } = await t.tlsReceivers([200]);
  const server = await t.serve(tls);
  await server.asOwner('POST', '/api/v2/webhooks', { name: 'CRM', url: sinkUrl, events: ['call'] });
  for (let i = 0; i < 3; i += 1) await server.asOwner('POST', '/api/v2/events', callEvent('call.initiated', `t${i}`));
  await t.launch();
  session = t.session;
  const list = [];
  for (const view of VIEWS) list.push(...viewSteps(view, server, sinkUrl));
  return t.run(list);
});

function viewSteps(view, server, sinkUrl) {
  const { base, owner, asOwner } = server;
  const tag = view.name;
  const shot = (name) =>
    view.scheme === 'light' &&
    page.screenshot({ path: path.join(shots, `${view.width < 500 ? 'phone-' : ''}${name}.png`), fullPage: true });
  let context;
  let page;
  let audit;
  const fieldError = (name) => page.locator(`[aria-describedby="${name}-error"]`);
  return [
    [`${tag}: Home: events today from the server, alert channels not set, linked`, async () => {
      ({ context, page, audit } = await session(view, base, owner));
      const { events } = await asOwner('GET', '/api/v2/stats/today');
      check(events >= 3, `the server counts the events published (${events})`);
      await page.goto(`${base}/#/`);
      const tile = page.getByTestId('home-events-today');
      await tile.getByText('Events today').waitFor();
      await tile.locator('dd').getByText(new RegExp(`^${events}$`)).waitFor();
      const alerts = page.getByTestId('home-alerts');
      await alerts.getByText(/No alert channels: nobody is told when a webhook fails/).waitFor();
      await audit('home with events today');
      await alerts.getByRole('link', { name: 'Set up alert channels' }).click();
      await page.getByRole('heading', { level: 1, name: 'Alert channels' }).waitFor();
      await page.getByTestId('no-channels').waitFor();
      await audit('alert channels, none yet');
    }],
    [`${tag}: an alert webhook: field errors at the fields, the secret shown once, a test delivered`, async () => {
      await page.getByRole('button', { name: '+ Add channel' }).click();
      const form = page.getByRole('region', { name: 'Add alert channel' });
      await form.waitFor();
      check(await page.evaluate(() => document.activeElement?.getAttribute('name') === 'name'), 'focus starts in Name');
      await form.getByLabel('Alert webhook URL').fill('http://alerts.example.com/hook');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await fieldError('alert-url').waitFor();
      check((await form.getByLabel('Alert webhook URL').getAttribute('aria-invalid')) === 'true', 'the URL is marked invalid');
      await fieldError('alert-name').waitFor();
      await audit('alert webhook with field errors');
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Pager');
      await form.getByLabel('Alert webhook URL').fill(sinkUrl);
      await form.getByRole('checkbox', { name: /Deliveries gave up/ }).check();
      await form.getByRole('button', { name: 'Add channel' }).click();
      const dialog = page.getByRole('dialog', { name: 'Signing secret' });
      const secret = await dialog.getByTestId('signing-secret').textContent();
      check(/^whsec_/.test(secret), 'the signing secret is shown');
      await audit('alert webhook secret', dialog);
      await dialog.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('tr', { hasText: 'Pager' });
      await row.getByText('delivery.exhausted').waitFor();
      check(!(await page.content()).includes(secret), 'the secret is not shown again');
      await row.getByRole('button', { name: 'Send test' }).click();
      await page.locator('.toast', { hasText: 'Test alert delivered (HTTP 200)' }).waitFor({ timeout: 30000 });
    }],
    [`${tag}: an e-mail channel: a bad recipient at its field, the password write-only`, async () => {
      await page.getByRole('button', { name: '+ Add channel' }).click();
      const form = page.getByRole('region', { name: 'Add alert channel' });
      await form.getByText('E-mail', { exact: true }).click();
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Ops team');
      await form.getByLabel('SMTP server').fill('smtp.example.com');
      await form.getByText('STARTTLS', { exact: true }).click();
      await form.getByLabel('Username').fill('alerts');
      await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await form.getByLabel('From address').fill('alerts@example.com');
      await form.getByLabel('Recipients').fill('ops@example.com\nnot an address');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await fieldError('alert-smtp-recipients').waitFor();
      await audit('e-mail channel with a field error');
      await shot('alert-channel-form');
      await form.getByLabel('Recipients').fill('ops@example.com\noncall@example.com');
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.locator('tr', { hasText: 'Ops team' });
      await row.getByText('E-mail to ops@example.com, oncall@example.com').waitFor();
      check(!(await page.content()).includes(PASSWORD), 'the password is not in the page');
      const stored = (await asOwner('GET', '/api/v2/alert-channels')).data.find((c) => c.name === 'Ops team');
      check(stored.smtp.tls === 'starttls' && stored.smtp.port === 587, 'STARTTLS on its default port');
      check(stored.smtp.password === '********', 'the server keeps the password and masks it');
      await audit('alert channels listed');
      await shot('alert-channels');
    }],
    [`${tag}: editing asks before leaving, keeps the password, saves`, async () => {
      const row = page.locator('tr', { hasText: 'Ops team' });
      await row.getByRole('button', { name: 'Edit Ops team' }).click();
      const form = page.getByRole('region', { name: 'Edit Ops team' });
      const password = form.getByLabel('Password', { exact: true });
      check((await password.inputValue()) === '', 'the password is never shown back');
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Ops on call');
      // At 390 px the sidebar is a drawer behind Menu.
      if (view.width < 500) await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
      const ask = page.getByRole('dialog', { name: 'Discard changes?' });
      await ask.waitFor();
      await audit('discard changes?', ask);
      await ask.getByRole('button', { name: 'Keep editing' }).click();
      await form.getByRole('button', { name: 'Save channel' }).click();
      await page.locator('tr', { hasText: 'Ops on call' }).waitFor();
      const stored = (await asOwner('GET', '/api/v2/alert-channels')).data.find((c) => c.name === 'Ops on call');
      check(stored.smtp.password === '********', 'the stored password is kept when the field is left empty');
    }],
    [`${tag}: the degraded threshold: a refused value at its field, then saved`, async () => {
      const card = page.getByRole('region', { name: 'Degraded threshold' });
      const percent = card.getByLabel('Success rate under (%)');
      await percent.fill('0');
      await card.getByRole('button', { name: 'Save threshold' }).click();
      await fieldError('alert-degraded_below_percent').waitFor();
      await audit('threshold with a field error');
      await percent.fill('80');
      await card.getByRole('button', { name: 'Save threshold' }).click();
      await card.getByText(/under 80 % of at least/).waitFor();
      check((await asOwner('GET', '/api/v2/alert-settings')).degraded_below_percent === 80, 'saved on the server');
      await asOwner('PATCH', '/api/v2/alert-settings', { degraded_below_percent: 90 });
    }],
    [`${tag}: Home says where alerts go; delete with its confirmation`, async () => {
      await page.goto(`${base}/#/`);
      await page.getByTestId('home-alerts').getByText(/Alerts go to 2 channels/).waitFor();
      await page.getByTestId('home-alerts').getByRole('link', { name: 'Alert channels' }).click();
      for (const name of ['Pager', 'Ops on call']) {
        await page.getByRole('button', { name: `Delete ${name}` }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete alert channel' });
        await dialog.getByText('This action permanently deletes the channel.', { exact: false }).waitFor();
        if (name === 'Pager') await audit('delete alert channel', dialog);
        await dialog.getByRole('button', { name: 'Delete' }).click();
        await page.locator('tr', { hasText: name }).waitFor({ state: 'detached' });
      }
      await page.getByTestId('no-channels').waitFor();
      await context.close();
    }],
  ];
}

