// Where a popup menu goes, next to its button: a pure rule (no DOM), tested
// in tests/browser/menu_place_test.mjs and used by menu.tsx.

export type MenuPlacement = { top: number; left: number; up: boolean };

const GAP = 4; // between the button and the list
const MARGIN = 8; // kept free at the viewport's edges

// Where a list of `size` goes for a button at `anchor` in a viewport of
// `viewport`: below and right-aligned when it fits, else above (when there is
// more room above), and never past an edge. Pure, for the unit tests.
export function placeMenu(
  anchor: { top: number; bottom: number; left: number; right: number },
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): MenuPlacement {
  const below = viewport.height - anchor.bottom - GAP - MARGIN;
  const above = anchor.top - GAP - MARGIN;
  const up = size.height > below && above > below;
  let top = up ? anchor.top - GAP - size.height : anchor.bottom + GAP;
  top = Math.max(MARGIN, Math.min(top, viewport.height - MARGIN - size.height));
  let left = anchor.right - size.width; // opens leftward, under the button
  if (left < MARGIN) left = anchor.left; // no room on the left: opens rightward
  left = Math.max(MARGIN, Math.min(left, viewport.width - MARGIN - size.width));
  return { top: Math.max(0, top), left: Math.max(0, left), up };
}
