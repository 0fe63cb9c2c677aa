// A parser for a text/event-stream body (the WHATWG "server-sent events"
// format), for streams read with fetch: EventSource cannot send the
// Authorization header the API needs. Pure: no DOM, no I/O, so that node
// tests it (tests/browser/sse_parser_test.mjs).
//
// Feed it decoded text in chunks of any size (a line, even a "\r\n", may be
// split between chunks); it returns the messages each chunk completes.
//   "event: x"  sets the type of the message being read (default "message")
//   "data: y"   appends a line to its data (several data lines join with "\n")
//   "id: z"     sets the last event id; "retry: n" the reconnection delay
//   ": text"    a comment (keep-alive); reported as a comment, never a message
//   ""          an empty line ends the message (dispatched when it has data)
// Lines end with "\r\n", "\n" or "\r"; one space after the colon is dropped.

export interface SseMessage {
  kind: 'message';
  event: string;
  data: string;
  id: string | null; // the last event id seen on the stream, if any
}

export interface SseComment {
  kind: 'comment';
  text: string;
}

export interface SseRetry {
  kind: 'retry';
  ms: number;
}

export type SseItem = SseMessage | SseComment | SseRetry;

export class SseParser {
  private buffer = '';
  private started = false; // past a possible byte order mark
  private pendingCr = false; // the last chunk ended in "\r": a "\n" starting the next one belongs to it
  private eventType = '';
  private data: string[] = [];
  private hasData = false;
  private lastId: string | null = null;

  // Parses one more chunk of the stream; returns what it completed.
  push(chunk: string): SseItem[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCr = false;
    this.buffer += chunk;
    const out: SseItem[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  // The stream ended: a message without its closing empty line is dropped (as browsers do).
  end(): SseItem[] {
    this.buffer = '';
    this.eventType = '';
    this.data = [];
    this.hasData = false;
    return [];
  }

  get lastEventId(): string | null {
    return this.lastId;
  }

  private line(line: string, out: SseItem[]): void {
    if (line === '') {
      if (this.hasData) {
        out.push({ kind: 'message', event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastId });
      }
      this.eventType = '';
      this.data = [];
      this.hasData = false;
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) {
      out.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
        break;
      default:
        break; // unknown fields are ignored
    }
  }
}
