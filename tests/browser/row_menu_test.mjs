// Browser test of the ⋮ row menu (issue 17, items 1 and 3) on the v2 and v1
// webhook lists, at 1400×900 and at a phone's 390×844, against the real
// binary: with ONE row, every item of the open menu is inside the viewport
// and is what a click at its centre hits (not clipped by the table card, not
// covered); Edit and Disable work from it; with the row at the bottom of the
// viewport the menu opens upward; and the keyboard drives it (Enter, Space,
// ArrowDown open it on the first item, arrows/Home/End move, Escape closes and
// returns focus to ⋮, Tab closes), with the menu button's ARIA.
// Usage: node row_menu_test.mjs path/to/switchboard
import {
  check,
  chromiumPath,
  dashboardTestPrerequisites,
  runBrowserTest,
  startServe,
  steps,
  tempDir,
} from './harness.mjs';

const { bin, chromium } = dashboardTestPrerequisites('row_menu_test.mjs');

const work = tempDir();
const processes = [];
let browser;
const pageErrors = [];

const SIZES = [
  { width: 1400, height: 900 },
  { width: 390, height: 844 },
];

async function main() {
  // No receiver: nothing is delivered here, the endpoint is only stored.
  const { owner, base, asOwner } = await startServe(bin, work, processes, ['--allow-private-networks']);
  const endpoint = 'https://127.0.0.1:9/hooks';
  const v2 = await asOwner('POST', '/api/v2/webhooks', { name: 'Only hook', url: endpoint, events: ['call.answered'] });
  const v1 = await asOwner('POST', '/api/v1/webhooks', { type: 'incall', url: endpoint });

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: SIZES[0] });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // The two lists, each with its one row and that row's ⋮ button.
  const lists = [
    {
      name: 'v2',
      hash: '#/webhooks',
      table: 'table[aria-label="Webhooks"]',
      button: () => page.getByRole('button', { name: 'Actions for Only hook' }),
      enabled: async () => (await asOwner('GET', `/api/v2/webhooks/${v2.id}`)).status === 'active',
      enable: () => asOwner('POST', `/api/v2/webhooks/${v2.id}/enable`),
      afterEdit: async () => {
        await page.waitForURL((url) => url.hash === `#/webhooks/${v2.id}/edit`);
      },
    },
    {
      name: 'v1',
      hash: '#/webhooks/v1',
      table: 'table[aria-label="Calling webhooks v1"]',
      button: () => page.getByRole('button', { name: /^Actions for In-call webhook to / }),
      enabled: async () => (await asOwner('GET', `/api/v1/webhooks/${v1.id}`)).enabled,
      enable: () => asOwner('POST', `/api/v1/webhooks/${v1.id}/enable`),
      afterEdit: async () => {
        const dialog = page.getByRole('dialog', { name: 'Edit v1 webhook' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'detached' });
      },
    },
  ];

  const menu = page.getByRole('menu');
  const item = (name) => page.getByRole('menuitem', { name });
  // Two frames: layout, scroll events and effects have run.
  const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? el.getAttribute('aria-label') || el.textContent.trim() : null;
    });

  // Every item of the open menu is inside the viewport, and a click at its
  // centre lands on it (not on the card around it, not on what is below).
  const assertReachable = async (what) => {
    await menu.waitFor();
    const report = await menu.evaluate((list) =>
      Array.from(list.querySelectorAll('[role="menuitem"]')).map((el) => {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        const view = document.documentElement;
        return {
          label: el.textContent.trim(),
          inside: r.top >= 0 && r.left >= 0 && r.bottom <= view.clientHeight && r.right <= view.clientWidth && r.height > 0,
          onTop: !!hit && (hit === el || el.contains(hit)),
          hit: hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing',
        };
      }),
    );
    check(report.length === 3, `${what}: three items (got ${report.map((r) => r.label).join(', ')})`);
    for (const r of report) {
      check(r.inside, `${what}: "${r.label}" is inside the viewport`);
      check(r.onTop, `${what}: "${r.label}" is what a click at its centre hits (hit ${r.hit})`);
    }
  };

  // Opens the list's page with its row shown and the ⋮ button in view.
  const show = async (list) => {
    await page.goto(`${base}/${list.hash}`);
    await page.reload(); // a fresh page: nothing left from the last step's changes
    await page.locator(`${list.table} tbody tr`).first().waitFor();
    check((await page.locator(`${list.table} tbody tr`).count()) === 1, `${list.name}: one row`);
    await list.button().scrollIntoViewIfNeeded();
    await settle();
  };

  const perList = (size, list) => {
    const at = `${list.name} at ${size.width}×${size.height}`;
    return [
      [`${at}: the open menu's items are visible and clickable, and it is a proper menu button`, async () => {
        await show(list);
        const button = list.button();
        check((await button.getAttribute('aria-haspopup')) === 'menu', 'aria-haspopup="menu"');
        check((await button.getAttribute('aria-expanded')) === 'false', 'aria-expanded="false" when closed');
        await button.click();
        await assertReachable(at);
        check((await button.getAttribute('aria-expanded')) === 'true', 'aria-expanded="true" when open');
        check((await menu.getByRole('menuitem').count()) === 3, 'role="menuitem" items');
      }],
      [`${at}: a click outside closes it`, async () => {
        await page.mouse.click(2, 2);
        await menu.waitFor({ state: 'detached' });
      }],
      [`${at}: Edit works from the menu`, async () => {
        await list.button().click();
        await assertReachable(at);
        await item('Edit').click();
        await list.afterEdit();
      }],
      [`${at}: Disable works from the menu (confirmed), and Enable is offered after`, async () => {
        await show(list);
        await list.button().click();
        await assertReachable(at);
        await item('Disable').click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        await dialog.getByRole('button', { name: /^(Disable|Yes)$/ }).click();
        await dialog.waitFor({ state: 'detached' });
        check(!(await list.enabled()), `${list.name} webhook stored disabled`);
        await list.button().click();
        await item('Enable').waitFor();
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'detached' });
        await list.enable();
      }],
      [`${at}: with the row at the bottom of the viewport the menu flips up, fully reachable`, async () => {
        await show(list);
        // Push the table down until its one row's ⋮ sits at the viewport's bottom edge
        // (at 390 px the row is a card with ⋮ in its top corner, not at its bottom).
        await page.evaluate((table) => {
          const card = document.querySelector(table).closest('.card');
          const kebab = card.querySelector('tbody tr .kebab').getBoundingClientRect();
          card.style.marginTop = `${Math.max(0, document.documentElement.clientHeight - kebab.bottom - 6)}px`;
        }, list.table);
        await settle();
        const button = list.button();
        const bottom = await button.evaluate((b) => document.documentElement.clientHeight - b.getBoundingClientRect().bottom);
        check(bottom < 60, `the ⋮ button is at the bottom edge (${bottom}px above it)`);
        await button.click();
        await assertReachable(`${at}, bottom row`);
        const [menuBox, buttonBox] = [await menu.boundingBox(), await button.boundingBox()];
        check(menuBox.y + menuBox.height <= buttonBox.y + 1, 'the menu opens above the button');
      }],
      [`${at}: scrolling closes it`, async () => {
        await page.evaluate(() => {
          document.body.style.paddingBottom = '2000px';
        });
        await settle();
        check(await menu.isVisible(), 'still open before the scroll');
        await page.evaluate(() => window.scrollBy(0, 40));
        await menu.waitFor({ state: 'detached' });
      }],
      [`${at}: keyboard — Enter opens on the first item, arrows, Home and End move, Escape returns to ⋮`, async () => {
        await show(list);
        const button = list.button();
        const label = await button.getAttribute('aria-label');
        await button.focus();
        await page.keyboard.press('Enter');
        await menu.waitFor();
        check((await focused()) === 'Edit', `Enter: focus on the first item (on ${await focused()})`);
        await page.keyboard.press('ArrowDown');
        check((await focused()) === 'Disable', `ArrowDown: the second item (on ${await focused()})`);
        await page.keyboard.press('End');
        check((await focused()) === 'Delete', `End: the last item (on ${await focused()})`);
        await page.keyboard.press('ArrowDown');
        check((await focused()) === 'Edit', `ArrowDown on the last: wraps to the first (on ${await focused()})`);
        await page.keyboard.press('ArrowUp');
        check((await focused()) === 'Delete', `ArrowUp on the first: wraps to the last (on ${await focused()})`);
        await page.keyboard.press('Home');
        check((await focused()) === 'Edit', `Home: the first item (on ${await focused()})`);
        await page.keyboard.press('Escape');
        await menu.waitFor({ state: 'detached' });
        check((await focused()) === label, `Escape: focus back on ⋮ (on ${await focused()})`);
        check((await button.getAttribute('aria-expanded')) === 'false', 'aria-expanded="false" after Escape');
      }],
      [`${at}: keyboard — Space and ArrowDown open it, Tab closes it, Enter on an item runs it`, async () => {
        await page.keyboard.press(' ');
        await menu.waitFor();
        check((await focused()) === 'Edit', `Space: focus on the first item (on ${await focused()})`);
        await page.keyboard.press('Tab');
        await menu.waitFor({ state: 'detached' });
        await list.button().focus();
        await page.keyboard.press('ArrowDown');
        await menu.waitFor();
        check((await focused()) === 'Edit', `ArrowDown: focus on the first item (on ${await focused()})`);
        await page.keyboard.press('Enter');
        await menu.waitFor({ state: 'detached' });
        await list.afterEdit();
      }],
    ];
  };

  const ok = await steps([
    ['signs in with the owner token', async () => {
      await page.goto(`${base}/`);
      await page.getByLabel('API token').fill(owner);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).waitFor();
    }],
    ...SIZES.flatMap((size) => [
      [`viewport ${size.width}×${size.height}`, () => page.setViewportSize(size)],
      ...lists.flatMap((list) => perList(size, list)),
    ]),
    ['no script errors', () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
    }],
  ]);
  return ok;
}

await runBrowserTest(main, { browser: () => browser, processes, work });
