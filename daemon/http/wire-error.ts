// The reasons the wire layer rejects a message: a stable short code for logs and counters, and the
// status HAProxy 2.6 answers for it. A request error is answered by lbd itself (usually 400); a
// response error becomes a 502 to the client. The code never reaches the peer.

/** Why a head, its framing or a chunked body was rejected. */
export type WireError =
  | 'bad-start-line' // leading byte of the message is not a token (request) or a version (response)
  | 'bad-method' // a non-token byte in the method, or no space after it
  | 'bad-target' // forbidden byte in the target (CTL, SP inside, byte >= 0x80, '#'), or a form the method does not allow
  | 'bad-version' // not exactly HTTP/<digit>.<digit>, or missing (HTTP/0.9 is not accepted)
  | 'bad-status' // response status not three digits in 100..999
  | 'bare-cr' // a CR not followed by LF
  | 'bad-header-name' // non-token byte in a field name, or empty name
  | 'space-before-colon' // whitespace between a field name and its colon (RFC 9112 §5.1)
  | 'no-colon' // a header line without a colon
  | 'leading-whitespace' // the first header line starts with whitespace (not a valid obs-fold)
  | 'nul-in-value' // NUL in a field value or reason (RFC 9110 §5.5)
  | 'too-large' // the head exceeds tune.bufsize / tune.maxrewrite
  | 'too-many-headers' // more fields than tune.http.maxhdr allows
  | 'duplicate-host' // two Host fields with different values
  | 'host-mismatch' // Host disagrees with the authority of an absolute-form or CONNECT target
  | 'bad-authority' // CONNECT target without host:port
  | 'bad-content-length' // Content-Length not a list of identical decimal numbers
  | 'bad-transfer-encoding' // Transfer-Encoding not ending in chunked, chunked twice, a coding after it; any coding but chunked in a response
  | 'unsupported-transfer-encoding' // request codings other than chunked before it: HAProxy answers 422
  | 'bad-chunk-size' // chunk size missing, not hex, or too large (>= 2^52)
  | 'bad-chunk-end' // chunk data not followed by CRLF
  | 'chunk-line-too-long' // chunk-size line (extensions) longer than the limit
  | 'bad-trailers' // a trailer field fails the header rules
  | 'unexpected-101'; // a 101 response to a request that did not ask to upgrade

/** The status HAProxy answers a request rejected for this reason (422 only for the coding case). */
export function requestErrorStatus(code: WireError): number {
  return code === 'unsupported-transfer-encoding' ? 422 : 400;
}

/** The status the client receives when a server's response is rejected for any reason. */
export const RESPONSE_ERROR_STATUS = 502;
