// The ready cURL command of a delivery attempt (issue 17 item 8): the URL,
// headers and body as Switchboard sent them, from the stored attempt. The
// signature headers are what was sent (an HMAC of that body and timestamp,
// not the signing secret); credentials were masked when the attempt was
// stored and stay out of the command, named in a comment instead. Pure.
import type { NamedValue } from '../api';

const MASKED = '********';

// POSIX shell single-quoting: 'it'\''s'.
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(url: string, headers: NamedValue[], body: string): string {
  const hidden = headers.filter((h) => h.value === MASKED).map((h) => h.name);
  const lines: string[] = [];
  if (hidden.length) lines.push(`# Not shown (credentials): ${hidden.join(', ')}. Add them to run this.`);
  const parts = [`curl -X POST ${shellQuote(url)}`];
  for (const h of headers) {
    if (h.value === MASKED || /^(content-length|host)$/i.test(h.name)) continue;
    parts.push(`-H ${shellQuote(`${h.name}: ${h.value}`)}`);
  }
  parts.push(`--data-binary ${shellQuote(body)}`);
  lines.push(parts.join(' \\\n  '));
  return lines.join('\n');
}
