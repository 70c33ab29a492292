/**
 * HTTP/2 framing (RFC 9113 §4, §6): frame types, flags, error codes, settings, and the writers of the
 * control frames lbd sends (HEADERS and DATA are written straight into the connection's output slab).
 */

export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

export const enum Flag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

export const enum H2Error {
  NO_ERROR = 0x0,
  PROTOCOL_ERROR = 0x1,
  INTERNAL_ERROR = 0x2,
  FLOW_CONTROL_ERROR = 0x3,
  SETTINGS_TIMEOUT = 0x4,
  STREAM_CLOSED = 0x5,
  FRAME_SIZE_ERROR = 0x6,
  REFUSED_STREAM = 0x7,
  CANCEL = 0x8,
  COMPRESSION_ERROR = 0x9,
  CONNECT_ERROR = 0xa,
  ENHANCE_YOUR_CALM = 0xb,
  INADEQUATE_SECURITY = 0xc,
  HTTP_1_1_REQUIRED = 0xd,
}

export const enum Setting {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
  MAX_HEADER_LIST_SIZE = 0x6,
}

const ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** The client connection preface (RFC 9113 §3.4). */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FRAME_HEADER = 9;
export const DEFAULT_WINDOW = 65535;
export const DEFAULT_MAX_FRAME = 16384;
export const MAX_WINDOW = 0x7fffffff;
export const MAX_FRAME_LIMIT = 0xffffff;

/** A frame header at buf[off]. */
export function writeFrameHeader(buf: Buffer, off: number, length: number, type: number, flags: number, stream: number): void {
  buf[off] = (length >>> 16) & 0xff;
  buf[off + 1] = (length >>> 8) & 0xff;
  buf[off + 2] = length & 0xff;
  buf[off + 3] = type;
  buf[off + 4] = flags;
  buf.writeUInt32BE(stream & 0x7fffffff, off + 5);
}

export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER + 6 * settings.length);
  writeFrameHeader(b, 0, 6 * settings.length, FrameType.SETTINGS, 0, 0);
  let o = FRAME_HEADER;
  for (const [id, v] of settings) {
    b.writeUInt16BE(id, o);
    b.writeUInt32BE(v >>> 0, o + 2);
    o += 6;
  }
  return b;
}

export const SETTINGS_ACK: Buffer = (() => {
  const b = Buffer.alloc(FRAME_HEADER);
  writeFrameHeader(b, 0, 0, FrameType.SETTINGS, Flag.ACK, 0);
  return b;
})();

export function windowUpdateFrame(stream: number, increment: number): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER + 4);
  writeFrameHeader(b, 0, 4, FrameType.WINDOW_UPDATE, 0, stream);
  b.writeUInt32BE(increment & 0x7fffffff, FRAME_HEADER);
  return b;
}

export function rstStreamFrame(stream: number, code: number): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER + 4);
  writeFrameHeader(b, 0, 4, FrameType.RST_STREAM, 0, stream);
  b.writeUInt32BE(code >>> 0, FRAME_HEADER);
  return b;
}

export function goawayFrame(lastStream: number, code: number, debug = ''): Buffer {
  const d = Buffer.from(debug, 'latin1');
  const b = Buffer.allocUnsafe(FRAME_HEADER + 8 + d.length);
  writeFrameHeader(b, 0, 8 + d.length, FrameType.GOAWAY, 0, 0);
  b.writeUInt32BE(lastStream & 0x7fffffff, FRAME_HEADER);
  b.writeUInt32BE(code >>> 0, FRAME_HEADER + 4);
  d.copy(b, FRAME_HEADER + 8);
  return b;
}

export function pingFrame(ack: boolean, payload: Buffer, off: number): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER + 8);
  writeFrameHeader(b, 0, 8, FrameType.PING, ack ? Flag.ACK : 0, 0);
  payload.copy(b, FRAME_HEADER, off, off + 8);
  return b;
}
