// Unit tests (node:test) of the ⋮ menu's placement rule (web/src/menu-place.ts):
// below the button and right-aligned when it fits, flipped up near the
// bottom edge, opened rightward near the left edge, never past an edge.
// Run: node tests/browser/menu_place_test.mjs (CTest: browser.menu_place).
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
const built = await esbuild.build({
  entryPoints: [path.join(repoRoot, 'web', 'src', 'menu-place.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'silent',
});
const { placeMenu } = await import(
  'data:text/javascript;base64,' + Buffer.from(built.outputFiles[0].text).toString('base64')
);

const menu = { width: 140, height: 110 };
const desktop = { width: 1400, height: 900 };
const phone = { width: 390, height: 844 };
// A 32×32 button whose top-left corner is at (x, y).
const button = (x, y) => ({ left: x, top: y, right: x + 32, bottom: y + 32 });

const cases = [
  // [what, anchor, viewport, expected placement]
  ['room below: under the button, right-aligned', button(1300, 200), desktop, { top: 236, left: 1192, up: false }],
  ['at the bottom edge: flips up above the button', button(1300, 850), desktop, { top: 736, left: 1192, up: true }],
  ['just fits below: stays below', button(1300, 900 - 8 - 110 - 4 - 32), desktop, { top: 782, left: 1192, up: false }],
  ['one pixel short below: flips up', button(1300, 900 - 8 - 110 - 4 - 32 + 1), desktop, { top: 633, left: 1192, up: true }],
  ['near the left edge: opens rightward', button(20, 200), desktop, { top: 236, left: 20, up: false }],
  ['past the right edge: kept inside', button(380, 200), phone, { top: 236, left: 242, up: false }],
  ['phone, last row at the bottom: up and inside', button(340, 800), phone, { top: 686, left: 232, up: true }],
  ['no room either way: below, clamped inside', button(100, 40), { width: 400, height: 150 }, { top: 32, left: 100, up: false }],
];

for (const [what, anchor, viewport, expected] of cases) {
  test(what, () => {
    const got = placeMenu(anchor, menu, viewport);
    assert.deepEqual(got, expected);
    assert.ok(got.top >= 0 && got.top + menu.height <= viewport.height, 'inside vertically');
    assert.ok(got.left >= 0 && got.left + menu.width <= viewport.width, 'inside horizontally');
  });
}
