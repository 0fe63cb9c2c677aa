// How a failed attempt is told to an admin: the API reports an error class
// (model/delivery.cc: http_status, timeout, connect, tls, dns, redirect,
// refused, other) with a status code and a technical message; the dashboard
// shows a short label for tables and a plain sentence for details, never the
// raw "class: message" text. Pure functions: no DOM, no requests.

export interface AttemptOutcome {
  status_code: number | null;
  error: string | null;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

// "timeout: Operation timed out" (a test event's `error`) → "timeout".
export function errorClass(error: string | null | undefined): string | null {
  if (!error) return null;
  const m = /^([a-z_]+)(:|$)/.exec(error.trim());
  return m ? m[1] : 'other';
}

// A table cell: "HTTP 500", "Timed out", "Connection failed"…
export function outcomeLabel(a: AttemptOutcome): string {
  const cls = errorClass(a.error);
  const code = a.status_code;
  switch (cls) {
    case null:
    case 'http_status':
      return code ? `HTTP ${code}` : '—';
    case 'redirect':
      return code ? `Redirect (HTTP ${code})` : 'Redirect';
    case 'timeout':
      return 'Timed out';
    case 'connect':
      return 'Connection failed';
    case 'tls':
      return 'TLS error';
    case 'dns':
      return 'Host not found';
    case 'refused':
      return 'Address not allowed';
    default:
      return code ? `HTTP ${code}` : 'Not sent';
  }
}

// A sentence for the inspect view and a test event's result.
export function outcomeSentence(a: AttemptOutcome): string {
  const cls = errorClass(a.error);
  const code = a.status_code;
  switch (cls) {
    case null:
    case 'http_status': {
      if (!code) return 'The delivery failed.';
      const reason = REASONS[code] ? ` (${REASONS[code]})` : '';
      return `Your endpoint answered HTTP ${code}${reason}; only a 2xx answer counts as delivered.`;
    }
    case 'redirect':
      return `Your endpoint answered with a redirect${code ? ` (HTTP ${code})` : ''}. Redirects are not followed: use the final URL.`;
    case 'timeout':
      return 'Your endpoint did not answer in time (30 seconds).';
    case 'connect':
      return 'Switchboard could not connect to your endpoint: check that its server is up and reachable.';
    case 'tls':
      return "The secure connection to your endpoint failed: check its HTTPS certificate.";
    case 'dns':
      return "Your endpoint's host name could not be found: check the URL.";
    case 'refused':
      return 'Switchboard does not send to this address (a private or reserved network).';
    default:
      return 'The event could not be sent to your endpoint.';
  }
}

// An RFC 1123 HTTP date ("Fri, 31 Jul 2026 00:00:00 GMT") or RFC 3339 time as
// a calendar date in the admin's locale ("31 Jul 2026"); anything else as is.
export function readableDate(text: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}
