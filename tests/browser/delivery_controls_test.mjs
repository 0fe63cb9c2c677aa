// Browser test of a webhook's delivery controls in the Add/Edit form (issue
// 16 item 4: timeout_ms, max_in_flight, max_rate) against the real binary, at
// 1400×900 and 390×844, light and dark:
// - a new form's "Advanced: delivery controls" section starts closed; values
//   out of range (and one that is not a number) are refused by the server and
//   its errors are shown at each field, in the admin's words (never the API's
//   field name), with aria-invalid and aria-describedby; nothing is created;
// - fixed, the webhook is created with them (the API answers them) and its
//   page says them in a sentence;
// - the edit form opens the section with the stored values; a refused value
//   on edit is shown at its field; an emptied field goes back to its default
//   (max_rate: unlimited, null);
// - no sideways scroll, and axe-core finds no serious or critical violation.
// Usage: node delivery_controls_test.mjs path/to/switchboard
import path from 'node:path';
import { VIEWS, check, consoleTest } from './harness.mjs';

consoleTest('delivery_controls_test.mjs', async (t) => {
  const server = await t.serve();
  await t.launch();
  const list = [];
  for (const view of VIEWS) list.push(...viewSteps(t, view, server));
  return t.run(list);
});

function viewSteps(t, view, { base, owner, asOwner }) {
  const tag = view.name;
  const name = `Paced ${tag}`;
  let context;
  let page;
  let audit;
  let created;
  const shot = (file) =>
    view.scheme === 'light' &&
    page.screenshot({ path: path.join(t.shots, `${view.width < 500 ? 'phone-' : ''}${file}.png`), fullPage: true });
  const field = (label) => page.getByLabel(label, { exact: true });
  const errorOf = (apiField) => page.locator(`#webhook-${apiField}-error`);
  // The field shows the server's error: marked invalid, described by it.
  const refusedAt = async (label, apiField, words) => {
    const error = errorOf(apiField);
    await error.waitFor();
    const text = await error.textContent();
    check(words.test(text), `${label}: the error in an admin's words (${text})`);
    check(!text.includes(apiField), `${label}: the error does not name the API field (${text})`);
    check((await field(label).getAttribute('aria-invalid')) === 'true', `${label} is marked invalid`);
    check((await field(label).getAttribute('aria-describedby')) === `webhook-${apiField}-error`, `${label} points at its error`);
  };
  const advanced = () => page.locator('details.advanced');
  return [
    [`${tag}: new webhook: out-of-range delivery controls refused at their fields`, async () => {
      ({ context, page, audit } = await t.session(view, base, owner));
      await page.goto(`${base}/#/webhooks/new`);
      await page.getByLabel('Webhook URL').waitFor();
      check(!(await advanced().evaluate((d) => d.open)), 'the Advanced section starts closed on a new webhook');
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Webhook URL').fill(`https://hooks.example.com/${tag}`);
      await page.getByText('Generate a secret to sign deliveries', { exact: false }).click();
      await page.getByRole('button', { name: /Call events/ }).click();
      await page.getByLabel('Select all Call events').check();
      await page.getByText('Advanced: delivery controls').click();
      await field('Request timeout (ms)').fill('500');
      await field('Deliveries in flight at once').fill('40');
      await field('Deliveries per second at most').fill('twenty');
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await refusedAt('Request timeout (ms)', 'timeout_ms', /from 1,000 to 30,000/);
      await refusedAt('Deliveries in flight at once', 'max_in_flight', /from 1 to 32/);
      await refusedAt('Deliveries per second at most', 'max_rate', /from 1 to 10,000/);
      const all = (await asOwner('GET', '/api/v2/webhooks')).data;
      check(!all.some((w) => w.name === name), 'nothing created');
      await audit('new webhook with delivery-control errors');
      await advanced().scrollIntoViewIfNeeded();
      await shot('webhook-form-advanced');
      // Out of range by one on the other side, as a number: still refused.
      await field('Deliveries per second at most').fill('10001');
      check((await errorOf('max_rate').count()) === 0, 'an edited field loses its old error');
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await refusedAt('Deliveries per second at most', 'max_rate', /from 1 to 10,000/);
    }],
    [`${tag}: fixed, the webhook is created with them and its page says them`, async () => {
      await field('Request timeout (ms)').fill('8000');
      await field('Deliveries in flight at once').fill('4');
      await field('Deliveries per second at most').fill('50');
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await page.getByRole('heading', { level: 1 }).getByText(name).waitFor();
      created = (await asOwner('GET', '/api/v2/webhooks')).data.find((w) => w.name === name);
      check(created, 'created');
      check(
        created.timeout_ms === 8000 && created.max_in_flight === 4 && created.max_rate === 50,
        `the API answers them (${created.timeout_ms}, ${created.max_in_flight}, ${created.max_rate})`,
      );
      await page.getByTestId('delivery-controls').getByText('Timeout 8 s · at most 4 at once · at most 50 per second').waitFor();
      await audit('webhook page with delivery controls');
    }],
    [`${tag}: edit: the section opens with the stored values; refused at the field; emptied is the default`, async () => {
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Webhook URL').waitFor();
      check(await advanced().evaluate((d) => d.open), 'the section is open: the webhook has its own controls');
      check((await field('Deliveries per second at most').inputValue()) === '50', 'the stored rate');
      check((await field('Request timeout (ms)').inputValue()) === '8000', 'the stored timeout');
      await field('Request timeout (ms)').fill('31000');
      await field('Deliveries per second at most').fill('');
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await refusedAt('Request timeout (ms)', 'timeout_ms', /from 1,000 to 30,000/);
      check((await errorOf('max_rate').count()) === 0, 'an empty rate is not an error (unlimited)');
      await audit('edit form with a delivery-control error');
      check((await asOwner('GET', `/api/v2/webhooks/${created.id}`)).timeout_ms === 8000, 'nothing saved');
      await field('Request timeout (ms)').fill('');
      await page.getByRole('button', { name: 'Save Webhook' }).click();
      await page.getByTestId('delivery-controls').getByText('Timeout 30 s · at most 4 at once · no rate limit').waitFor();
      const saved = await asOwner('GET', `/api/v2/webhooks/${created.id}`);
      check(
        saved.timeout_ms === 30000 && saved.max_in_flight === 4 && saved.max_rate === null,
        `emptied fields are the defaults (${saved.timeout_ms}, ${saved.max_in_flight}, ${saved.max_rate})`,
      );
      await context.close();
    }],
  ];
}
