// Browser test of a newcomer's first minute (issue 17 item 12) against the
// real binary, at 1400×900 and 390×844, light and dark:
// - `switchboard simulate` with the owner token fills the company directory
//   it uses (agents with names, e-mails, extensions, departments) before it
//   publishes, so Call Logs shows the agents' and departments' names (never
//   their ids) from the first run;
// - with --no-directory it leaves the directory alone (a second server);
// - no sideways scroll, and axe-core finds no serious or critical violation.
// Usage: node first_minute_test.mjs path/to/switchboard
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { VIEWS, check, consoleTest } from './harness.mjs';

const run = promisify(execFile);
// The simulator's directory (src/simulate/scenarios.cc): its agents' names.
const AGENTS = ['Asha Rao', 'Vikram Shah', 'Meera Iyer', 'Rahul Nair', 'Priya Menon', 'Arjun Das', 'Neha Gupta',
  'Karan Mehta', 'Divya Pillai'];

consoleTest('first_minute_test.mjs', async (t) => {
  const server = await t.serve();
  const bare = await t.serve([], path.join(t.work, 'bare'));
  const simulate = (s, extra = []) =>
    run(t.bin, ['simulate', '--url', s.base, '--token', s.owner, '--calls-only', '--count', '120', '--seed', '7',
      '--rate', '200', ...extra]);
  await simulate(server);
  await simulate(bare, ['--no-directory']);
  await t.launch();
  const list = [
    ['simulate with the owner token filled the directory; --no-directory left it alone', async () => {
      const agents = (await server.asOwner('GET', '/api/v2/agents?limit=100')).data;
      const asha = agents.find((a) => a.name === 'Asha Rao');
      check(asha, `Asha Rao is in the directory (${agents.map((a) => a.name).join(', ')})`);
      check(asha.email === 'asha.rao@example.com' && asha.extension === '101' && asha.department_id,
        `with her e-mail, extension and department (${JSON.stringify(asha)})`);
      const departments = (await server.asOwner('GET', '/api/v2/departments?limit=100')).data.map((d) => d.name);
      check(departments.includes('Sales') && departments.includes('Support'), `departments (${departments.join(', ')})`);
      check((await bare.asOwner('GET', '/api/v2/agents')).data.length === 0, 'no agents with --no-directory');
    }],
  ];
  for (const view of VIEWS) {
    list.push([`${view.name}: Call Logs shows the agents' and departments' names from the first run`, async () => {
      const { context, page, audit } = await t.session(view, server.base, server.owner);
      await page.goto(`${server.base}/#/calls`);
      const recent = page.getByRole('table', { name: 'Recent calls' });
      await recent.locator('tbody tr').first().waitFor();
      await recent.getByText(new RegExp(AGENTS.join('|'))).first().waitFor();
      await recent.getByText(/^(Sales|Support|Billing)$/).first().waitFor();
      const text = await recent.textContent();
      check(!/agt_|dep_/.test(text), 'no agent or department ids shown');
      await audit('call logs after the first simulate');
      await context.close();
    }]);
  }
  return t.run(list);
});
