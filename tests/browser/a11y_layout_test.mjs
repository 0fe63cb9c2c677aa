// Browser test of issue 17 (items 2, 3, 4, 6 and the seed wording) against
// the real binary, at 1400×900 and at a phone's 390×844:
// - no page or modal scrolls sideways (scrollWidth <= innerWidth), tables
//   stack, "+ Add Webhook" and the status stay on screen, modals fit the
//   viewport, the sidebar is a drawer behind a Menu button on the phone;
// - axe-core (web/node_modules/axe-core, injected into the page) finds no
//   serious or critical violation on any page or modal;
// - modals trap Tab/Shift+Tab, Escape closes the innermost one and returns the
//   focus to what opened it, the Delete modal starts on its input and Enter
//   confirms only once DELETE is typed;
// - failure and delivery logs page with "Load more" (the API's cursor);
// - an edited form asks before it is left (in-app link, Back, Cancel,
//   Escape, closing the tab); an unchanged one leaves silently;
// - v1 deliveries (GET /api/v1/webhooks/{id}/deliveries) page the same way;
// - the seed's wording, and messages in an admin's words;
// - all of it in the light and the dark colour scheme (prefers-color-scheme),
//   the open ⋮ menu audited too, and Call Logs' tables as wide as the page.
// Usage: node a11y_layout_test.mjs path/to/switchboard
// SWITCHBOARD_KEEP_GOING=1 runs every step even after a failure (each step
// starts from a fresh page load), to list every check the code fails.
import path from 'node:path';
import {
  VIEWS,
  axeViolations,
  check,
  chromiumPath,
  dashboardTestPrerequisites,
  notAdminWords,
  runBrowserTest,
  startServe,
  testWorkspace,
} from './harness.mjs';

const { bin, chromium } = dashboardTestPrerequisites('a11y_layout_test.mjs');
const { work, shots } = testWorkspace();
const keepGoing = !!process.env.SWITCHBOARD_KEEP_GOING;

const processes = [];
let browser;
const pageErrors = [];

// Both sizes, in the light and the dark colour scheme (axe checks the
// contrast of each).
const SIZES = VIEWS;
const EVENTS = 60; // more than one page (50) of deliveries and of failed attempts

// A check: throws, or with keepGoing notes the miss and lets the step go on
// (so that one run lists every check the code fails); the step then fails.
let missed = [];
function verify(condition, what) {
  if (condition) return;
  if (!keepGoing) check(condition, what);
  missed.push(`expected: ${what}`);
}

// Runs the steps in order; the first failure ends the run unless keepGoing.
async function run(list) {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of list) {
    const started = Date.now();
    missed = [];
    try {
      await fn();
      if (missed.length) throw new Error(missed.join('\n'));
      passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name}: ${keepGoing ? String(error.message).split('\n').slice(0, 14).join('\n') : error.stack || error}`);
      if (!keepGoing) break;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0;
}

function callAnswered(i) {
  const now = new Date().toISOString();
  return {
    type: 'call.answered',
    data: {
      call_id: `c${i}`, direction: 'inbound', from: '+919876543210', to: '+918044556677',
      status: 'in_progress', started_at: now, answered_at: now,
      legs: [{ number: '+919876543210', role: 'customer', state: 'answered', started_at: now, answered_at: now }],
    },
  };
}

async function main() {
  // No receiver: port 9 refuses connections, so every attempt fails (class "connect").
  const { owner, base, asOwner } = await startServe(bin, work, processes, ['--allow-private-networks']);
  const endpoint = 'https://127.0.0.1:9/hooks';
  const busy = await asOwner('POST', '/api/v2/webhooks', { name: 'Busy hook', url: endpoint, events: ['call.answered'] });
  const v1 = await asOwner('POST', '/api/v1/webhooks', { type: 'incall', url: endpoint });
  await asOwner('POST', '/api/v2/events/batch', { events: Array.from({ length: EVENTS }, (_, i) => callAnswered(i)) });
  // Waits (on the API, not the clock) until more than a page of attempts failed.
  // (The incall v1 webhook gets a delivery of each answered call too.)
  for (;;) {
    const page = await asOwner('GET', `/api/v2/webhooks/${busy.id}/failures?limit=500`);
    const v1Page = await asOwner('GET', `/api/v1/webhooks/${v1.id}/deliveries?limit=500`);
    if (page.data.length >= EVENTS && v1Page.data.length >= EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const list = [];
  for (const size of SIZES) list.push(...sizeSteps(size, { base, asOwner, owner, busy }));
  list.push(['no script errors', () => {
    if (pageErrors.length) throw new Error(pageErrors.join('\n'));
  }]);
  return run(list);
}

function sizeSteps(size, { base, asOwner, owner, busy }) {
  const phone = size.width < 700;
  const tag = `${size.name} ${size.width}×${size.height}`;
  const light = size.scheme === 'light';
  let context;
  let page;
  let spare; // a webhook this size may disable and delete

  // `leaveFreely`: a "leave this page?" question (beforeunload) on a reload is
  // answered yes, so that each step can start from a fresh load.
  const newPage = async (leaveFreely = true) => {
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    p.on('pageerror', (e) => pageErrors.push(`${tag}: ${e}`));
    if (leaveFreely) p.on('dialog', (d) => d.accept());
    return p;
  };
  // A fresh load of a route, signed in (the token is in this tab's sessionStorage).
  const open = async (hash, ready) => {
    await page.goto('about:blank'); // a full load, even when only the fragment differs
    await page.goto(`${base}/${hash}`);
    await ready();
  };
  // Screenshots in the light scheme only (docs/screenshots).
  const shot = (name) => light && page.screenshot({ path: path.join(shots, `${name}.png`) });
  const dialog = (name) => page.getByRole('dialog', { name });
  const active = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? { tag: el.tagName, label: el.getAttribute('aria-label'), text: el.textContent?.trim() ?? '' } : null;
    });
  // Waits for the focus to satisfy the predicate; a miss is a failed check.
  const waitFocus = (predicateSource, arg, what = 'the focus where expected') =>
    page.waitForFunction(predicateSource, arg, { timeout: 5000 }).catch(async () => {
      verify(false, `${what} (it is on ${JSON.stringify(await active())})`);
    });
  // Waits for a locator's state; a miss is a failed check (true when it came).
  const comes = (locator, what, state = 'visible') =>
    locator.waitFor({ state, timeout: keepGoing ? 5000 : undefined }).then(
      () => true,
      () => {
        verify(false, what);
        return false;
      },
    );

  // Item 2: nothing scrolls sideways; a modal fits the viewport.
  const noSideScroll = async (what) => {
    const { sw, iw } = await page.evaluate(() => ({
      sw: document.scrollingElement.scrollWidth,
      iw: window.innerWidth,
    }));
    verify(sw <= iw, `${what}: the page is ${sw} px wide in a ${iw} px window`);
  };
  const inViewport = async (locator, what) => {
    const box = await locator.boundingBox();
    verify(box, `${what} is shown`);
    const ok = box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
    verify(ok, `${what} inside the ${size.width}×${size.height} viewport (at ${JSON.stringify(box)})`);
  };
  // Item 3: axe-core on the page as it is now.
  const axe = async (what) => {
    const violations = await axeViolations(page);
    verify(violations.length === 0, `${what}: axe found\n  ${violations.join('\n  ')}`);
  };
  const audit = async (what, modal) => {
    await noSideScroll(`${what} (${tag})`);
    if (modal) await inViewport(modal, `${what} (${tag})`);
    await axe(`${what} (${tag})`);
    const words = await notAdminWords(page);
    verify(words.length === 0, `${what} (${tag}) speaks to admins, but shows ${words.join(', ')}`);
  };
  // The main navigation: a drawer behind "Menu" on the phone.
  const go = async (name) => {
    if (phone) await page.getByRole('button', { name: 'Menu', exact: true }).click();
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  };
  const listReady = () => page.locator('table[aria-label="Webhooks"] tbody tr', { hasText: 'Busy hook' }).waitFor();
  const detailReady = () => page.getByRole('button', { name: /^Inspect attempt/ }).first().waitFor();
  const tabFocusStaysIn = async (box, presses, key) => {
    for (let i = 0; i < presses; i += 1) {
      await page.keyboard.press(key);
      const inside = await box.evaluate((el) => el.contains(document.activeElement));
      verify(inside, `${key} #${i + 1} keeps the focus in the dialog (on ${JSON.stringify(await active())})`);
    }
  };

  return [
    [`${tag}: signs in`, async () => {
      context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        colorScheme: size.scheme,
        bypassCSP: true,
      });
      page = await newPage();
      spare = await asOwner('POST', '/api/v2/webhooks', {
        name: `Spare hook ${size.name}`, url: 'https://127.0.0.1:9/spare', events: ['call.end'],
      });
      await page.goto(base + '/');
      await page.getByLabel('API token').fill(owner);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('role').waitFor();
    }],
    [`${tag}: sign-in and home pages`, async () => {
      const signedIn = page;
      page = await newPage(); // a new tab: not signed in
      try {
        await page.goto(base + '/');
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        const text = await page.locator('main').textContent();
        verify(!/switchboard serve|--/.test(text), 'the sign-in page names no command or flag');
        await audit('sign-in');
      } finally {
        await page.close();
        page = signedIn;
      }
      await open('#/', () => page.getByTestId('role').waitFor());
      await audit('home');
    }],
    [`${tag}: the sidebar is ${phone ? 'a drawer behind Menu' : 'always shown'}`, async () => {
      await open('#/', () => page.getByTestId('role').waitFor());
      const nav = page.getByRole('navigation').getByRole('link', { name: 'Webhooks', exact: true });
      const menu = page.getByRole('button', { name: 'Menu', exact: true });
      if (!phone) {
        verify(await nav.isVisible(), 'sidebar link visible');
        verify(!(await menu.isVisible()), 'no Menu button');
        return;
      }
      verify(!(await nav.isVisible()), 'the sidebar is folded away');
      await menu.click();
      await nav.waitFor({ state: 'visible' });
      verify((await menu.getAttribute('aria-expanded')) === 'true', 'Menu says expanded');
      await audit('menu drawer');
      await shot('phone-menu');
      await page.keyboard.press('Escape');
      await nav.waitFor({ state: 'hidden' });
      await waitFocus(() => document.activeElement?.classList.contains('menu-button'));
      await go('Webhooks');
      await listReady();
      await nav.waitFor({ state: 'hidden' });
    }],
    [`${tag}: webhooks list: "+ Add Webhook" and the status on screen`, async () => {
      await open('#/webhooks', listReady);
      await audit('webhooks list');
      await inViewport(page.getByRole('button', { name: '+ Add Webhook' }), '"+ Add Webhook"');
      const row = page.locator('table[aria-label="Webhooks"] tbody tr', { hasText: 'Busy hook' });
      await inViewport(row.getByText('Active', { exact: true }), 'the status pill');
      if (phone) await shot('phone-webhooks-list');
    }],
    [`${tag}: the disable modal traps the focus; Escape returns it to ⋮`, async () => {
      await open('#/webhooks', listReady);
      const kebab = page.getByRole('button', { name: `Actions for Spare hook ${size.name}` });
      await kebab.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: 'Edit' }).waitFor();
      await audit('the open row menu', page.getByRole('menu'));
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const box = dialog('Disable webhook');
      await box.getByText('Are you sure you want to disable this webhook?').waitFor();
      verify((await box.getByRole('button').allTextContents()).join('|') === '×|Cancel|Yes', 'answers are Yes / Cancel');
      await waitFocus(() => document.activeElement?.textContent === 'Yes');
      await audit('disable modal', box);
      await tabFocusStaysIn(box, 5, 'Tab');
      await tabFocusStaysIn(box, 5, 'Shift+Tab');
      await page.keyboard.press('Escape');
      await box.waitFor({ state: 'detached' });
      await waitFocus((label) => document.activeElement?.getAttribute('aria-label') === label, `Actions for Spare hook ${size.name}`);
    }],
    [`${tag}: the delete modal: warning, starts on its input, Enter deletes once DELETE is typed`, async () => {
      await open('#/webhooks', listReady);
      await page.getByRole('button', { name: `Actions for Spare hook ${size.name}` }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      const box = dialog('Delete webhook');
      await box.waitFor();
      verify(
        (await box.getByText('This action permanently deletes the webhook.').count()) === 1,
        'the sentence "This action permanently deletes the webhook."',
      );
      verify((await box.locator('svg.warning-icon').count()) === 1, 'the warning icon');
      await waitFocus(
        () => document.activeElement?.getAttribute('aria-label') === 'Type DELETE to confirm',
        undefined,
        'the dialog starts on its DELETE field',
      );
      await audit('delete modal', box);
      const field = box.getByLabel('Type DELETE to confirm');
      await field.focus();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      verify(await box.isVisible(), 'Enter does nothing before DELETE is typed');
      if (phone) await shot('phone-delete-modal');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('DELETE');
      await page.keyboard.press('Enter');
      if (!(await comes(box, 'Enter with DELETE typed confirms', 'detached'))) return;
      await page.locator('table[aria-label="Webhooks"] tbody tr', { hasText: `Spare hook ${size.name}` })
        .waitFor({ state: 'detached' });
      const ids = (await asOwner('GET', '/api/v2/webhooks')).data.map((w) => w.id);
      verify(!ids.includes(spare.id), 'deleted');
      await waitFocus(
        () => document.activeElement && document.activeElement !== document.body,
        undefined,
        'the focus is not dropped on <body>',
      );
    }],
    [`${tag}: v1 tab and its dialog; an edited dialog asks before it closes`, async () => {
      await open('#/webhooks/v1', () => page.getByRole('button', { name: '+ Add v1 Webhook' }).waitFor());
      const notice = page.getByTestId('v1-deprecation');
      await notice.getByText(/end date was|stop on|[Ss]unset/).waitFor();
      verify(!/GMT|--v1|\/api\//.test(await notice.textContent()), 'no raw HTTP date, CLI flag or API path');
      await audit('v1 list');
      const add = page.getByRole('button', { name: '+ Add v1 Webhook' });
      // Unchanged: Escape closes it at once, and the focus goes back to the button.
      await add.click();
      const box = dialog('Add v1 webhook');
      await box.waitFor();
      await waitFocus(() => !!document.activeElement?.closest('[role="dialog"]'));
      await audit('v1 dialog', box);
      await page.keyboard.press('Escape');
      await box.waitFor({ state: 'detached' });
      await waitFocus(() => document.activeElement?.textContent === '+ Add v1 Webhook');
      // Edited: Escape asks; Escape again keeps editing; Discard closes both.
      await add.click();
      await box.waitFor();
      verify((await box.getByLabel('Target URL').count()) === 1, 'the field is "Target URL" (seed 001)');
      await box.locator('input[type="url"]').fill('https://example.com/calls');
      verify((await box.locator('input[type="url"]').getAttribute('placeholder')) === 'https://', 'placeholder https://');
      await box.getByRole('button', { name: '+ Add Header' }).click();
      await box.getByRole('button', { name: '+ Add Header' }).click();
      await box.getByLabel('Header name 1').fill('X-Token');
      await box.getByLabel('Header name 2').fill('x-token');
      await comes(
        box.locator('.row-block', { has: page.getByLabel('Header name 2') }).getByText(/Duplicate header key/),
        'a duplicate header key is flagged while typing',
      );
      await page.keyboard.press('Escape');
      const discard = dialog('Discard changes?');
      if (!(await comes(discard, 'Escape on an edited dialog asks first'))) return;
      await waitFocus(() => document.activeElement?.textContent === 'Keep editing');
      await audit('discard-changes modal', discard);
      await page.keyboard.press('Escape');
      await discard.waitFor({ state: 'detached' });
      verify(await box.isVisible(), 'the v1 dialog is still open');
      await waitFocus(() => !!document.activeElement?.closest('[role="dialog"]'));
      await box.getByRole('button', { name: 'Cancel' }).click();
      await discard.getByRole('button', { name: 'Discard changes' }).click();
      await box.waitFor({ state: 'detached' });
      await waitFocus(() => document.activeElement?.textContent === '+ Add v1 Webhook');
    }],
    [`${tag}: failure logs page with Load more; the inspect view fits and speaks plainly`, async () => {
      await open(`#/webhooks/${busy.id}`, detailReady);
      const rows = page.locator('table[aria-label="Failed attempts"] tbody tr');
      verify((await rows.count()) === 50, `one page of failed attempts (${await rows.count()})`);
      await audit('webhook detail: failure logs');
      if (await comes(page.getByRole('button', { name: 'Load more' }), '"Load more" under the failure log')) {
        await page.getByRole('button', { name: 'Load more' }).click();
        await page.getByRole('button', { name: 'Back to latest' }).waitFor();
        verify((await rows.count()) >= EVENTS, `older failed attempts added (${await rows.count()})`);
      }
      if (phone) await shot('phone-webhook-detail');
      const eye = page.getByRole('button', { name: /^Inspect attempt/ }).first();
      const eyeLabel = await eye.getAttribute('aria-label');
      await eye.click();
      const box = dialog('Failed attempt');
      await box.getByTestId('inspect-payload').waitFor();
      const said = await box.textContent();
      verify(/could not connect to your endpoint/.test(said), 'the failure told in plain words');
      verify(!/\bconnect:|http_status|Couldn't connect/.test(said), 'no raw error class or library message');
      await audit('inspect modal', box);
      if (phone) await shot('phone-failure-inspect');
      await page.keyboard.press('Escape');
      await box.waitFor({ state: 'detached' });
      await waitFocus((label) => document.activeElement?.getAttribute('aria-label') === label, eyeLabel);
    }],
    [`${tag}: delivery logs page with Load more`, async () => {
      await open(`#/webhooks/${busy.id}`, detailReady);
      await page.getByRole('tab', { name: 'Delivery logs' }).click();
      const rows = page.locator('table[aria-label="Deliveries"] tbody tr');
      await rows.first().waitFor();
      verify((await rows.count()) === 50, `one page of deliveries (${await rows.count()})`);
      await audit('webhook detail: delivery logs');
      if (!(await comes(page.getByRole('button', { name: 'Load more' }), '"Load more" under the delivery log'))) return;
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.getByRole('button', { name: 'Back to latest' }).waitFor();
      verify((await rows.count()) === EVENTS, `all ${EVENTS} deliveries (${await rows.count()})`);
      verify((await page.getByRole('button', { name: 'Load more' }).count()) === 0, 'nothing more to load');
      await page.getByText(`Showing ${EVENTS} deliveries (all of them).`).waitFor();
    }],
    [`${tag}: v1 deliveries page with Load more`, async () => {
      await open('#/webhooks/v1', () => page.getByRole('button', { name: '+ Add v1 Webhook' }).waitFor());
      const view = page.getByRole('button', { name: /^View deliveries of the In-call webhook to / });
      if (!(await comes(view, 'a v1 webhook\'s deliveries can be opened'))) return;
      await view.click();
      const box = dialog('v1 deliveries');
      const rows = box.locator('table[aria-label="v1 deliveries"] tbody tr');
      await rows.first().waitFor();
      verify((await rows.count()) === 50, `one page of v1 deliveries (${await rows.count()})`);
      await audit('v1 deliveries modal', box);
      await box.getByRole('button', { name: 'Load more' }).click();
      await box.getByRole('button', { name: 'Back to latest' }).waitFor();
      verify((await rows.count()) === EVENTS, `all ${EVENTS} v1 deliveries (${await rows.count()})`);
      verify(!/connect:|Couldn't/.test(await box.textContent()), 'no raw error class or library message');
      await page.keyboard.press('Escape');
      await box.waitFor({ state: 'detached' });
      await waitFocus(() => /^View deliveries of the/.test(document.activeElement?.getAttribute('aria-label') ?? ''));
    }],
    [`${tag}: the new-webhook form: seed wording, duplicate keys flagged while typing`, async () => {
      await open('#/webhooks', listReady);
      await page.getByRole('button', { name: '+ Add Webhook' }).click();
      const url = page.locator('input[name="url"]');
      await url.waitFor();
      verify((await page.getByLabel('Webhook URL').count()) === 1, 'the field is "Webhook URL"');
      verify((await url.getAttribute('placeholder')) === 'https://', 'placeholder https://');
      verify((await page.getByRole('button', { name: 'Save Webhook' }).count()) === 1, 'the button is "Save Webhook"');
      await audit('new-webhook form');
      verify(!/comma-separated/i.test(await page.locator('main').textContent()), 'no filter asks for typed ids');
      await page.getByRole('button', { name: '+ Add Header' }).click();
      await page.getByRole('button', { name: '+ Add Header' }).click();
      await page.getByLabel('Header name 1').fill('X-Source');
      await page.getByLabel('Header name 2').fill('x-source');
      await comes(
        page.locator('.row-block', { has: page.getByLabel('Header name 2') }).getByText(/Duplicate header key/),
        'a duplicate header key is flagged while typing',
      );
      verify((await page.getByLabel('Header name 2').getAttribute('aria-invalid')) === 'true', 'row 2 marked');
      verify((await page.getByLabel('Header name 1').getAttribute('aria-invalid')) !== 'true', 'row 1 not marked');
      await noSideScroll(`new-webhook form with header rows (${tag})`);
      // Edited: Cancel asks first.
      await page.getByRole('button', { name: 'Cancel' }).click();
      if (await comes(dialog('Discard changes?'), 'Cancel on an edited form asks first')) {
        await dialog('Discard changes?').getByRole('button', { name: 'Discard changes' }).click();
      }
      await listReady();
    }],
    [`${tag}: the edit form leaves silently when unchanged, asks when edited (link, Back)`, async () => {
      await open(`#/webhooks/${busy.id}`, detailReady);
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.locator('input[name="url"]').waitFor();
      await audit('edit form');
      await page.getByRole('link', { name: '← Webhooks' }).click();
      await detailReady(); // unchanged: no question
      verify((await page.getByRole('dialog').count()) === 0, 'no question for an unchanged form');
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Description').fill('Edited, not saved');
      await page.getByRole('link', { name: '← Webhooks' }).click();
      const discard = dialog('Discard changes?');
      if (!(await comes(discard, 'a link away from an edited form asks first'))) return;
      await audit('discard-changes modal over the form', discard);
      if (!phone) await shot('discard-changes');
      await discard.getByRole('button', { name: 'Keep editing' }).click();
      await discard.waitFor({ state: 'detached' });
      verify((await page.getByLabel('Description').inputValue()) === 'Edited, not saved', 'the edit is kept');
      verify(page.url().endsWith('/edit'), 'still on the form');
      await page.goBack();
      await discard.waitFor();
      verify(page.url().endsWith('/edit'), 'Back is held while the admin decides');
      await discard.getByRole('button', { name: 'Discard changes' }).click();
      await detailReady();
      verify((await asOwner('GET', `/api/v2/webhooks/${busy.id}`)).description === '', 'nothing saved');
    }],
    [`${tag}: closing the tab asks only when a form has unsaved changes`, async () => {
      const closeTab = async (edit) => {
        const tab = await newPage(false);
        // A new tab has its own sessionStorage: the token is put there before the page loads.
        await tab.addInitScript((token) => sessionStorage.setItem('switchboard.token', token), owner);
        await tab.goto(`${base}/#/webhooks/${busy.id}/edit`);
        await tab.getByLabel('Description').click();
        if (edit) await tab.keyboard.type('Edited');
        const asked = [];
        tab.on('dialog', (d) => {
          asked.push(d.type());
          d.accept();
        });
        const closed = new Promise((resolve) => tab.once('close', resolve));
        await tab.close({ runBeforeUnload: true });
        await closed;
        return asked;
      };
      verify((await closeTab(true)).join() === 'beforeunload', 'an edited form asks before the tab closes');
      verify((await closeTab(false)).length === 0, 'an unchanged form lets the tab close');
    }],
    [`${tag}: call logs`, async () => {
      await open('#/', () => page.getByTestId('role').waitFor());
      await go('Call Logs');
      const toggle = page.getByRole('switch', { name: 'Live updates' });
      if (!(await toggle.isChecked())) await toggle.check();
      await page.locator('table[aria-label="Live calls"][data-ready="true"]').waitFor();
      await page.getByRole('table', { name: 'Recent calls' }).locator('tbody tr').first().waitFor();
      await audit('call logs');
      // Not a narrow column (it was 170 px wide at 390 px): the tables take the page's width.
      for (const name of ['Live calls', 'Recent calls']) {
        const box = await page.getByRole('table', { name }).boundingBox();
        const least = phone ? size.width - 60 : 900;
        verify(box && box.width >= least, `the ${name} table is at least ${least} px wide (${box?.width})`);
      }
      if (phone && light) await page.screenshot({ path: path.join(shots, 'phone-call-logs.png') });
      // Item 11: recent calls of the last hour, paged; a running duration.
      const recent = page.getByRole('region', { name: 'Recent calls' });
      const recentRows = recent.locator('table[aria-label="Recent calls"] tbody tr');
      verify((await recentRows.count()) === 50, `one page of recent calls (${await recentRows.count()})`);
      const duration = recentRows.first().locator('td[data-label="Duration"]');
      const before = await duration.textContent();
      verify(/^\d+ (s|min \d+ s)$/.test(before), `a duration (${before})`);
      await page.waitForFunction(([el, was]) => el.textContent !== was, [await duration.elementHandle(), before], { timeout: 5000 })
        .catch(() => verify(false, `the duration runs while the call goes on (still ${before})`));
      if (await comes(recent.getByRole('button', { name: 'Load more' }), '"Load more" under the recent calls')) {
        await recent.getByRole('button', { name: 'Load more' }).click();
        await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Recent calls"] tbody tr').length >= n, EVENTS)
          .catch(() => verify(false, `all ${EVENTS} recent calls after Load more`));
      }
      await context.close();
    }],
  ];
}

await runBrowserTest(main, { browser: () => browser, processes, work });
