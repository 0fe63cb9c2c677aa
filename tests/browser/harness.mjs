// Shared pieces of the browser tests: the real `switchboard` processes on
// free loopback ports, playwright-core from web/node_modules driving Debian's
// /usr/bin/chromium (never a downloaded browser), and waits on conditions.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const chromiumPath = process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium';
const SKIP = 77; // ctest SKIP_RETURN_CODE

// Missing prerequisites skip the test on a developer's machine, but fail in
// CI (CI=true), where scripts/setup.sh and scripts/build.sh provide them.
export function requireOrSkip(condition, what) {
  if (condition) return;
  if (process.env.CI) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`SKIP: ${what}`);
  process.exit(SKIP);
}

export function loadPlaywright() {
  const require = createRequire(path.join(repoRoot, 'web', 'package.json'));
  try {
    return require('playwright-core');
  } catch {
    requireOrSkip(false, 'playwright-core is not installed: run scripts/build.sh (npm ci in web/)');
  }
}

// What every dashboard test needs before it starts: the binary named on its
// command line, Debian's chromium, the dashboard built beside the binary, and
// playwright-core. A missing one skips the test (fails it in CI).
export function dashboardTestPrerequisites(script) {
  const bin = path.resolve(process.argv[2] || '');
  requireOrSkip(process.argv[2] && existsSync(bin), `usage: ${script} path/to/switchboard`);
  requireOrSkip(existsSync(chromiumPath), `${chromiumPath} is missing: run scripts/setup.sh (Debian chromium)`);
  requireOrSkip(
    existsSync(path.join(path.dirname(bin), 'web', 'index.html')),
    'the dashboard is not built beside the binary: run scripts/build.sh (needs npm)',
  );
  const { chromium } = loadPlaywright();
  return { bin, chromium };
}

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'switchboard-browser-'));
}

// A dashboard test's work directory and where its screenshots go
// ($SWITCHBOARD_SCREENSHOTS, e.g. docs/screenshots, or inside the work directory).
export function testWorkspace() {
  const work = tempDir();
  const shots = process.env.SWITCHBOARD_SCREENSHOTS
    ? path.resolve(process.env.SWITCHBOARD_SCREENSHOTS)
    : path.join(work, 'screenshots');
  mkdirSync(shots, { recursive: true });
  return { work, shots };
}

// axe-core from web/node_modules, injected into the page (the context needs
// bypassCSP: the server's Content-Security-Policy allows only its own scripts).
export const axePath = path.join(repoRoot, 'web', 'node_modules', 'axe-core', 'axe.min.js');

// axe's serious and critical violations on the page as it is now, one line each.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

// What an admin should never read on a page (issue 17, "messages speak to
// admins"): an API path, a command-line flag, a raw HTTP date, the API's
// "http_status" error class, or a filter asking for typed ids. Returns the
// ones the page's visible text holds.
const NOT_ADMIN_WORDS = [
  [/\/api\/v\d/, 'an API path'],
  [/(^|\s)--[a-z][a-z-]+/m, 'a command-line flag'],
  [/\b\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\b/, 'a raw HTTP date'],
  [/http_status/, 'the error class "http_status"'],
  [/ids?,? comma-separated|comma-separated ids/i, 'a filter asking for typed ids'],
];
export async function notAdminWords(page) {
  const text = await page.evaluate(() => document.body.innerText);
  return NOT_ADMIN_WORDS.filter(([re]) => re.test(text)).map(([re, what]) => `${what} (${re.exec(text)[0].trim()})`);
}

// A tab signed in with `token` at the view's size and colour scheme
// ({name, width, height, scheme}); script errors go to `pageErrors`.
// `audit(what, modal?)` checks that nothing scrolls sideways, that `modal`
// (a locator) fits the viewport, that axe finds nothing serious, and that
// the page shows none of NOT_ADMIN_WORDS.
export async function openSession(browser, view, base, token, pageErrors) {
  const context = await browser.newContext({
    viewport: { width: view.width, height: view.height },
    colorScheme: view.scheme,
    bypassCSP: true, // axe-core is injected as a script
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await context.addInitScript((t) => sessionStorage.setItem('switchboard.token', t), token);
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => pageErrors.push(`${view.name}: ${e}`));
  const tag = `${view.name} ${view.width}×${view.height}`;
  const audit = async (what, modal) => {
    const { sw, iw } = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: window.innerWidth }));
    check(sw <= iw, `${what} (${tag}): the page is ${sw} px wide in a ${iw} px window`);
    if (modal) {
      const box = await modal.boundingBox();
      check(box && box.x >= 0 && box.x + box.width <= view.width + 0.5, `${what} (${tag}) fits the viewport`);
    }
    const violations = await axeViolations(page);
    check(violations.length === 0, `${what} (${tag}): axe found\n  ${violations.join('\n  ')}`);
    const words = await notAdminWords(page);
    check(words.length === 0, `${what} (${tag}) speaks to admins, but shows ${words.join(', ')}`);
  };
  return { context, page, audit };
}

// The four views every console screen is checked in.
export const VIEWS = [
  { name: 'desktop', width: 1400, height: 900, scheme: 'light' },
  { name: 'phone', width: 390, height: 844, scheme: 'light' },
  { name: 'desktop-dark', width: 1400, height: 900, scheme: 'dark' },
  { name: 'phone-dark', width: 390, height: 844, scheme: 'dark' },
];

// A self-signed certificate for 127.0.0.1 that both receivers use, so that
// `serve --ca-file` trusts them both.
export function makeCertificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', key, '-out', cert, '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { cert, key };
}

// Starts a process and resolves once its stdout has every line named in
// `wanted` ({name: /regex with one group/}); rejects if it exits first.
export function startProcess(bin, args, wanted, label) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const found = {};
      for (const [name, re] of Object.entries(wanted)) {
        const m = re.exec(stdout);
        if (!m) return;
        found[name] = m[1];
      }
      clearTimeout(timer);
      resolve(found);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${stderr}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };
  return { child, ready, stop, logs: () => stderr };
}

// `switchboard serve` on a fresh data directory in `work` and a free loopback
// port, added to `processes` (stopped by runBrowserTest); resolves to the
// owner token, the base URL and an API client acting as the owner.
export async function startServe(bin, work, processes, extraArgs = []) {
  const server = startProcess(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data', path.join(work, 'data'), ...extraArgs],
    { token: /^Owner token: (\S+)$/m, dashboard: /^Dashboard: (\S+)$/m },
    'serve',
  );
  processes.push(server);
  const { token: owner, dashboard } = await server.ready;
  const base = dashboard.replace(/\/$/, '');
  return { server, owner, base, asOwner: apiClient(base, owner) };
}

export function cleanup(dir) {
  if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

export function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}`);
}

// Runs a browser test's main() (true when every step passed), then always
// closes the browser, stops the processes (printing their logs on failure)
// and removes the work directory; exits 0 or 1. `browser` is a getter: the
// test launches it inside main().
export async function runBrowserTest(main, { browser, processes, work }) {
  let ok = false;
  try {
    ok = await main();
  } catch (error) {
    console.log(`FAIL setup: ${error.stack || error}`);
  } finally {
    await browser()?.close().catch(() => {});
    await Promise.all(processes.map((p) => p.stop()));
    if (!ok) for (const p of processes) if (p.logs()) console.log(p.logs().slice(-4000));
    cleanup(work);
  }
  process.exit(ok ? 0 : 1);
}

// The frame the console tests share (console_test, console_health,
// console_alerts, delivery_controls): the prerequisites, a workspace, the
// processes and page errors, and the run. `main(t)` gets:
// - t.bin, t.work, t.shots, t.processes, t.pageErrors;
// - t.tlsReceivers(statuses): one certificate, a `switchboard receive` over
//   TLS per status; resolves to { urls, tls } where `tls` are the serve
//   arguments that trust them (--allow-private-networks --ca-file);
// - t.serve(args, dir = t.work): startServe in `dir`;
// - t.launch(): Debian's chromium, headless; t.session(view, base, token):
//   openSession with the page errors collected;
// - t.run(list): the steps, then "no script errors".
export function consoleTest(script, main) {
  const { bin, chromium } = dashboardTestPrerequisites(script);
  const { work, shots } = testWorkspace();
  const t = { bin, work, shots, processes: [], pageErrors: [], browser: null };
  t.tlsReceivers = async (statuses) => {
    const pair = makeCertificate(work);
    const urls = [];
    for (const status of statuses) urls.push(await startReceiver(bin, t.processes, pair, status));
    return { urls, tls: ['--allow-private-networks', '--ca-file', pair.cert] };
  };
  t.serve = (args = [], dir = work) => startServe(bin, dir, t.processes, args);
  t.launch = async () => {
    t.browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
    return t.browser;
  };
  t.session = (view, base, token) => openSession(t.browser, view, base, token, t.pageErrors);
  t.run = (list) =>
    steps([...list, ['no script errors', () => check(t.pageErrors.length === 0, t.pageErrors.join('\n'))]]);
  return runBrowserTest(() => main(t), { browser: () => t.browser, processes: t.processes, work });
}

// A JSON API client with the given bearer token.
export function apiClient(baseUrl, token) {
  return async (method, route, body) => {
    const response = await fetch(baseUrl + route, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// Polls `fn` every 200 ms until it returns something truthy (returned), or
// fails after `ms` naming `what`. For server-side conditions; the page's own
// waits are Playwright's.
export async function waitUntil(what, fn, ms = 60000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// A valid call event of `callId` (POST /api/v2/events body), happening now,
// from the customer `from`; `extra` is merged into its data.
export function callEvent(type, callId, { from = '+919811100011', extra = {} } = {}) {
  const now = new Date().toISOString();
  return {
    type,
    data: {
      call_id: callId, direction: 'inbound', from, to: '+918044556677',
      status: type === 'call.initiated' ? 'initiated' : 'in_progress', started_at: now,
      ...(type === 'call.answered' ? { answered_at: now } : {}),
      legs: [{ number: from, role: 'customer', state: 'answered', started_at: now }],
      ...extra,
    },
  };
}

// `switchboard receive` over TLS (makeCertificate's pair) answering `status`,
// added to `processes`; resolves to its /hooks URL.
export async function startReceiver(bin, processes, { cert, key }, status) {
  const sink = startProcess(
    bin,
    ['receive', '--listen', '127.0.0.1:0', '--cert', cert, '--key', key, '--quiet', '--status', String(status)],
    { url: /Receiving on (\S+)/ },
    `receiver ${status}`,
  );
  processes.push(sink);
  return new URL('/hooks', (await sink.ready).url).toString();
}

// Waits until the element behind `locator` is (not) disabled.
export async function waitDisabled(locator, disabled = true) {
  const handle = await locator.elementHandle();
  await handle.evaluate(
    (el, want) =>
      new Promise((resolve) => {
        const check = () => el.disabled === want && (observer.disconnect(), resolve());
        const observer = new MutationObserver(check);
        observer.observe(el, { attributes: true });
        check();
      }),
    disabled,
  );
}

// Runs named steps in order, printing each; the first failure ends the run.
export async function steps(list) {
  let passed = 0;
  for (const [name, fn] of list) {
    const started = Date.now();
    try {
      await fn();
      passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      console.log(`FAIL ${name}: ${error.stack || error}`);
      console.log(`${passed} passed, 1 failed`);
      return false;
    }
  }
  console.log(`${passed} passed, 0 failed`);
  return true;
}
