// The server's validation errors in a form (webhooks v2 and v1, alert
// channels): pure functions shared by the forms, table-tested in
// web_unit_test.mjs. The server validates; a form shows each message beside
// the field it names ("url", "headers[1].key") and the rest in its banner.
import type { FieldError } from './api';

// The field errors of a refused request: its list, or its one field.
export function errorsOf(e: { field?: string; code: string; message: string; errors: FieldError[] }): FieldError[] {
  if (e.errors.length) return e.errors;
  return e.field ? [{ field: e.field, code: e.code, message: e.message }] : [];
}

// Whether an error's field is `path` or below it ("auth" covers "auth.keys[0]").
export function isAt(field: string | undefined, path: string): boolean {
  return !!field && (field === path || field.startsWith(path + '.') || field.startsWith(path + '['));
}

// The messages for one slot of a form: the exact path, or with `prefix` also
// the paths below it ("events" covers "events[3]").
export function messageFor(errors: FieldError[], slot: string, prefix = false): string | undefined {
  const hits = errors.filter((e) => e.field === slot || (prefix && isAt(e.field, slot)));
  return hits.length ? hits.map((e) => e.message).join(' ') : undefined;
}

// The banner above a refused form: the messages no field shows (so that none
// is lost), the request's own message when no field is named, else a line
// pointing at the fields when several are marked (`pointAtFields`), or none.
export function bannerFor(
  e: { message: string },
  list: FieldError[],
  shownAtField: (field: string | undefined) => boolean,
  pointAtFields = true,
): string | null {
  if (!list.length) return e.message;
  const elsewhere = list.filter((x) => !shownAtField(x.field)).map((x) => x.message);
  if (elsewhere.length) return elsewhere.join(' ');
  return pointAtFields && list.length > 1 ? 'Please correct the fields marked below.' : null;
}
