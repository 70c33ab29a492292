// The responses lbd generates itself, byte for byte as HAProxy 2.6 sends its defaults
// (captured in test/fixtures/http/haproxy-errors/ by verify-haproxy.mjs). HAProxy has two forms:
//  - "mux" form: its raw http_err_msgs text, sent as is by the HTTP/1 layer for a request it could
//    not parse (400), a request timeout (408) and a refused transfer coding (422). Mixed-case names;
//    400 and 408 carry "Connection: close" in the middle; HAProxy then closes.
//  - "stream" form: the same message after HAProxy's internal conversion, sent for deny rules,
//    503 (no server), 502 (bad response), 504 (server timeout) and the rest: lower-case names
//    content-length, cache-control, content-type, then "connection: close" when the connection closes
//    after it (always for 400 and 408, else when the client asked to close or spoke HTTP/1.0).
// 414 and 431 do not exist in HAProxy 2.6 (it answers 400); their text is HAProxy 2.8's.

/** A status lbd can generate: reason phrase and page text as in HAProxy's http_err_msgs. */
interface ErrorText { reason: string; text: string; close: boolean }

/** HAProxy's texts, quirks included (407's reason, 501's leading dot, 431's '>'). */
const TEXTS: Record<number, ErrorText> = {
  200: { reason: 'OK', text: 'Service ready.', close: false },
  400: { reason: 'Bad request', text: 'Your browser sent an invalid request.', close: true },
  401: { reason: 'Unauthorized', text: 'You need a valid user and password to access this content.', close: false },
  403: { reason: 'Forbidden', text: 'Request forbidden by administrative rules.', close: false },
  404: { reason: 'Not Found', text: 'The resource could not be found.', close: false },
  405: { reason: 'Method Not Allowed', text: 'A request was made of a resource using a request method not supported by that resource', close: false },
  407: { reason: 'Unauthorized', text: 'You need a valid user and password to access this content.', close: false },
  408: { reason: 'Request Time-out', text: "Your browser didn't send a complete request in time.", close: true },
  410: { reason: 'Gone', text: 'The resource is no longer available and will not be available again.', close: false },
  413: { reason: 'Payload Too Large', text: 'The request entity exceeds the maximum allowed.', close: false },
  414: { reason: 'URI Too Long', text: 'The URI provided was too long for the server to process.', close: false },
  421: { reason: 'Misdirected Request', text: 'Request sent to a non-authoritative server.', close: false },
  422: { reason: 'Unprocessable Content', text: 'The server cannot process the contained instructions.', close: false },
  425: { reason: 'Too Early', text: 'Your browser sent early data.', close: false },
  429: { reason: 'Too Many Requests', text: 'You have sent too many requests in a given amount of time.', close: false },
  431: { reason: 'Request Header Fields Too Large', text: '>Request Header Fields Too Large.', close: false },
  500: { reason: 'Internal Server Error', text: 'An internal server error occurred.', close: false },
  501: { reason: 'Not Implemented', text: '.The server does not support the functionality required to fulfill the request.', close: false },
  502: { reason: 'Bad Gateway', text: 'The server returned an invalid or incomplete response.', close: false },
  503: { reason: 'Service Unavailable', text: 'No server is available to handle this request.', close: false },
  504: { reason: 'Gateway Time-out', text: "The server didn't respond in time.", close: false },
};

/** The statuses with a built-in page (HAProxy 2.6's list plus 414 and 431). */
export const ERROR_STATUSES: readonly number[] = Object.keys(TEXTS).map(Number);

const pageBody = (status: number, t: ErrorText) => `<html><body><h1>${status} ${t.reason}</h1>\n${t.text}\n</body></html>\n`;

function muxForm(status: number, t: ErrorText): Buffer {
  const body = pageBody(status, t);
  return Buffer.from(
    `HTTP/1.1 ${status} ${t.reason}\r\nContent-length: ${body.length}\r\nCache-Control: no-cache\r\n` +
      (t.close ? 'Connection: close\r\n' : '') + `Content-Type: text/html\r\n\r\n${body}`,
    'latin1',
  );
}

function streamForm(status: number, reason: string, body: Buffer, contentType: string, close: boolean): Buffer {
  const head = `HTTP/1.1 ${status} ${reason}\r\ncontent-length: ${body.length}\r\ncache-control: no-cache\r\n` +
    `content-type: ${contentType}\r\n${close ? 'connection: close\r\n' : ''}\r\n`;
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}

const MUX = new Map<number, Buffer>();
const STREAM = new Map<number, Buffer>();
const STREAM_CLOSE = new Map<number, Buffer>();
for (const [code, t] of Object.entries(TEXTS)) {
  const status = Number(code);
  const body = Buffer.from(pageBody(status, t), 'latin1');
  MUX.set(status, muxForm(status, t));
  STREAM_CLOSE.set(status, streamForm(status, t.reason, body, 'text/html', true));
  STREAM.set(status, t.close ? (STREAM_CLOSE.get(status) as Buffer) : streamForm(status, t.reason, body, 'text/html', false));
}

/** Statuses HAProxy falls back to 500 for when a status has no page (as its http_get_status_idx does). */
const fallback = (status: number) => (TEXTS[status] ? status : 500);

/**
 * The page HAProxy's HTTP/1 layer sends for a request it refuses before any rule runs: 400 (parse
 * errors), 408 (timeout http-request), 422 (transfer codings). The connection closes after it.
 * Pre-built; do not modify the returned Buffer.
 */
export function muxError(status: number): Buffer {
  return MUX.get(fallback(status)) as Buffer;
}

/**
 * The page HAProxy sends from its stream layer (deny rules, 502, 503, 504, ...). `close` adds
 * "connection: close" (the client asked to close, spoke HTTP/1.0, or lbd closes after); 400 and 408
 * always carry it. Pre-built; do not modify the returned Buffer.
 */
export function errorResponse(status: number, close = false): Buffer {
  const s = fallback(status);
  return (close ? STREAM_CLOSE.get(s) : STREAM.get(s)) as Buffer;
}

/** Whether HAProxy closes the connection after its page for this status (400 and 408). */
export function errorCloses(status: number): boolean {
  return TEXTS[fallback(status)].close;
}

/**
 * A generated response with a custom body in the stream form (what errorfile and
 * "http-request return" will build on): status line with HAProxy's reason for the status unless one is
 * given, then content-length, cache-control: no-cache, content-type, and connection: close if asked.
 */
export function customErrorResponse(status: number, body: Buffer | string, opts: { contentType?: string; close?: boolean; reason?: string } = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const reason = opts.reason ?? TEXTS[status]?.reason ?? 'Other';
  const close = opts.close ?? (TEXTS[status]?.close ?? false);
  return streamForm(status, reason, b, opts.contentType ?? 'text/html', close);
}
