/**
 * HPACK (RFC 7541), the header compression of HTTP/2: static table, a strict decoder and a CPU-frugal encoder.
 *
 * Strings are latin1: one char per octet, both ways (a Huffman-coded string decodes to its octets too).
 *
 * Dynamic tables are rings of names and values addressed by an absolute insertion counter: the entry inserted
 * as number `id` lives in slot `id & mask`, and its HPACK index is 61 + (insertCount - id).
 */
import { encodedLength, huffmanDecode, huffmanEncode } from './huffman.js';

export const enum HpackError {
  OK = 0,
  /** Malformed block: the connection must die with COMPRESSION_ERROR (RFC 7540 §4.3). */
  COMPRESSION = 1,
  /** The decoded header list exceeds maxHeaderListSize; the table is consistent, only the stream is refused. */
  HEADER_LIST_TOO_LARGE = 2,
}

type FastBuf = Buffer & {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
};

/** RFC 7541 Appendix A; index 1..61 (slot 0 unused). */
// prettier-ignore
const STATIC: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
export const STATIC_TABLE_LENGTH = 61;
const S_NAMES: readonly string[] = STATIC.map((e) => e[0]);
const S_VALUES: readonly string[] = STATIC.map((e) => e[1]);

/** The static entry (1..61) or undefined. */
export function staticEntry(index: number): readonly [string, string] | undefined {
  return index >= 1 && index <= STATIC_TABLE_LENGTH ? STATIC[index] : undefined;
}

const enum Indexing {
  INCREMENTAL = 0,
  /** Literal without indexing (cookie: many distinct values, little gain). */
  WITHOUT = 1,
  /** Never indexed: credentials (RFC 7541 §7.1.3). */
  NEVER = 2,
}

interface StaticName {
  /** Lowest static index of the name. */
  readonly index: number;
  /** Value -> static index of the exact pair. */
  readonly values: Map<string, number>;
  readonly indexing: Indexing;
}
const STATIC_BY_NAME = new Map<string, StaticName>();
for (let i = 1; i <= STATIC_TABLE_LENGTH; i++) {
  const [name, value] = STATIC[i];
  let e = STATIC_BY_NAME.get(name);
  if (e === undefined) {
    const indexing =
      name === 'authorization' || name === 'proxy-authorization'
        ? Indexing.NEVER
        : name === 'cookie'
          ? Indexing.WITHOUT
          : Indexing.INCREMENTAL;
    e = { index: i, values: new Map(), indexing };
    STATIC_BY_NAME.set(name, e);
  }
  e.values.set(value, i);
}

const ENTRY_OVERHEAD = 32;
const INT_MAX = 0x7fffffff;

/** Dynamic table of a decoder or encoder: a ring with a running size. */
class Ring {
  names: string[] = new Array<string>(16).fill('');
  values: string[] = new Array<string>(16).fill('');
  mask = 15;
  /** Entries ever inserted: the next entry's id. */
  insertCount = 0;
  count = 0;
  /** RFC size: sum of name.length + value.length + 32. */
  size = 0;

  protected grow(): void {
    const cap = this.names.length * 2;
    const names = new Array<string>(cap).fill('');
    const values = new Array<string>(cap).fill('');
    const mask = cap - 1;
    for (let id = this.insertCount - this.count; id < this.insertCount; id++) {
      names[id & mask] = this.names[id & this.mask];
      values[id & mask] = this.values[id & this.mask];
    }
    this.names = names;
    this.values = values;
    this.mask = mask;
  }

  /** Drop the oldest entry. */
  protected evictOne(): void {
    const slot = (this.insertCount - this.count) & this.mask;
    this.size -= this.names[slot].length + this.values[slot].length + ENTRY_OVERHEAD;
    this.names[slot] = '';
    this.values[slot] = '';
    this.count--;
  }

  protected evictTo(max: number): void {
    while (this.size > max) this.evictOne();
  }

  /** Add an entry when it fits in `max` (evicting the oldest ones first), or empty the table when it does not. */
  protected add(name: string, value: string, max: number): void {
    const sz = name.length + value.length + ENTRY_OVERHEAD;
    if (sz > max) {
      this.evictTo(0);
      return;
    }
    this.evictTo(max - sz);
    if (this.count === this.names.length) this.grow();
    const slot = this.insertCount & this.mask;
    this.names[slot] = name;
    this.values[slot] = value;
    this.insertCount++;
    this.count++;
    this.size += sz;
  }

  /** The dynamic entries, newest (index 62) first: for tests and debugging. */
  dynamicEntries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let d = 1; d <= this.count; d++) {
      const slot = (this.insertCount - d) & this.mask;
      out.push([this.names[slot], this.values[slot]]);
    }
    return out;
  }

  /** Current dynamic table size in octets (RFC size: name + value + 32 per entry). */
  get tableSize(): number {
    return this.size;
  }
}

export class HpackDecoder extends Ring {
  /** SETTINGS_HEADER_TABLE_SIZE in force: the largest size a table size update may ask for. */
  private limit: number;
  /** The table's current maximum size (the last size update, or the limit initially). */
  private capacity: number;
  /** The limit was lowered below the capacity: the next block must start with a size update <= minLimit. */
  private expectUpdate = false;
  private minLimit = INT_MAX;
  /** Cursor shared with readInt/readString. */
  private pos = 0;
  maxHeaderListSize: number;

  /**
   * maxTableSize is the SETTINGS_HEADER_TABLE_SIZE the peer's encoder works with from the start (RFC 7541 uses
   * it as the initial table size without any size update): on a connection, construct with 4096, the protocol
   * default, and call setMaxTableSize() when the peer acknowledges a different value.
   */
  constructor(maxTableSize = 4096, maxHeaderListSize = 65536) {
    super();
    this.limit = maxTableSize;
    this.capacity = maxTableSize;
    this.maxHeaderListSize = maxHeaderListSize;
  }

  /** The limit we advertise changed (SETTINGS_HEADER_TABLE_SIZE we sent and the peer acked). */
  setMaxTableSize(n: number): void {
    this.limit = n;
    if (n < this.capacity) {
      // The peer's encoder must signal a size update <= n at the start of its next block (RFC 7541 §4.2).
      this.expectUpdate = true;
      if (n < this.minLimit) this.minLimit = n;
      this.capacity = n;
      this.evictTo(n);
    }
  }

  /** Continuation octets of an integer whose prefix was all ones (value v so far) at buf[p]; -1 if malformed. */
  private readIntTail(buf: Buffer, p: number, end: number, v: number): number {
    let m = 1;
    for (let k = 0; k < 5; k++) {
      if (p >= end) return -1;
      const b = buf[p++];
      v += (b & 0x7f) * m;
      if (v > INT_MAX) return -1;
      if (b < 0x80) {
        this.pos = p;
        return v;
      }
      m *= 128;
    }
    return -1;
  }

  /** The string literal at buf[p] (ends at this.pos), or null if malformed. */
  private readString(buf: Buffer, p: number, end: number): string | null {
    if (p >= end) return null;
    const b = buf[p++];
    let len = b & 0x7f;
    if (len === 0x7f) {
      len = this.readIntTail(buf, p, end, len);
      if (len < 0) return null;
      p = this.pos;
    }
    if (len > end - p) return null;
    const e = p + len;
    this.pos = e;
    if (b >= 0x80) return huffmanDecode(buf, p, e);
    return len === 0 ? '' : (buf as FastBuf).latin1Slice(p, e);
  }

  /**
   * Decode one complete header block buf[off,end) appending name,value pairs to `out` (out.push(name, value)).
   * On HEADER_LIST_TOO_LARGE the block was decoded to its end (the table is up to date) but `out` holds only the
   * fields before the limit was crossed; on COMPRESSION the decoder is unusable (the connection must die).
   */
  decode(buf: Buffer, off: number, end: number, out: string[]): HpackError {
    let p = off;

    // Dynamic table size updates: only at the start of a block (RFC 7541 §4.2).
    let minUpdate = -1;
    while (p < end && (buf[p] & 0xe0) === 0x20) {
      let v = buf[p++] & 0x1f;
      if (v === 0x1f) {
        v = this.readIntTail(buf, p, end, v);
        if (v < 0) return HpackError.COMPRESSION;
        p = this.pos;
      }
      if (v > this.limit) return HpackError.COMPRESSION;
      this.capacity = v;
      this.evictTo(v);
      if (minUpdate < 0 || v < minUpdate) minUpdate = v;
    }
    if (this.expectUpdate) {
      if (minUpdate < 0 || minUpdate > this.minLimit) return HpackError.COMPRESSION;
      this.expectUpdate = false;
      this.minLimit = INT_MAX;
    }

    const maxList = this.maxHeaderListSize;
    let listSize = 0;
    let full = false;
    while (p < end) {
      const b = buf[p++];
      let name: string | null;
      let value: string | null;

      if (b >= 0x80) {
        // Indexed header field (§6.1).
        let idx = b & 0x7f;
        if (idx === 0x7f) {
          idx = this.readIntTail(buf, p, end, idx);
          if (idx < 0) return HpackError.COMPRESSION;
          p = this.pos;
        }
        if (idx <= STATIC_TABLE_LENGTH) {
          if (idx === 0) return HpackError.COMPRESSION;
          if (full) continue;
          name = S_NAMES[idx];
          value = S_VALUES[idx];
        } else {
          const d = idx - STATIC_TABLE_LENGTH;
          if (d > this.count) return HpackError.COMPRESSION;
          if (full) continue;
          const slot = (this.insertCount - d) & this.mask;
          name = this.names[slot];
          value = this.values[slot];
        }
      } else {
        // Literal (§6.2): with incremental indexing (01), without indexing (0000), never indexed (0001).
        let idx: number;
        let pmax: number;
        if (b >= 0x40) {
          idx = b & 0x3f;
          pmax = 0x3f;
        } else if (b >= 0x20) {
          return HpackError.COMPRESSION; // size update after a field
        } else {
          idx = b & 0x0f;
          pmax = 0x0f;
        }
        if (idx === pmax) {
          idx = this.readIntTail(buf, p, end, idx);
          if (idx < 0) return HpackError.COMPRESSION;
          p = this.pos;
        }
        if (idx === 0) {
          name = this.readString(buf, p, end);
          if (name === null) return HpackError.COMPRESSION;
          p = this.pos;
        } else if (idx <= STATIC_TABLE_LENGTH) {
          name = S_NAMES[idx];
        } else {
          const d = idx - STATIC_TABLE_LENGTH;
          if (d > this.count) return HpackError.COMPRESSION;
          name = this.names[(this.insertCount - d) & this.mask];
        }
        value = this.readString(buf, p, end);
        if (value === null) return HpackError.COMPRESSION;
        p = this.pos;
        if (b >= 0x40) this.add(name, value, this.capacity);
        if (full) continue;
      }

      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > maxList) full = true;
      else out.push(name, value);
    }
    return full ? HpackError.HEADER_LIST_TOO_LARGE : HpackError.OK;
  }
}

/** Per-name index of the encoder's dynamic table. */
interface DynName {
  /** Id of the newest entry of that name. */
  id: number;
  /** Value -> id of the newest entry of that exact pair. */
  readonly values: Map<string, number>;
}

/** Largest entry (name + value + 32) the encoder inserts in its table; larger fields go as plain literals. */
const MAX_INDEXED_ENTRY = 512;
/** The encoder's own cap on its table, whatever the peer allows. */
const ENCODER_MAX_TABLE = 4096;

function writeInt(buf: Buffer, p: number, flags: number, pmax: number, v: number): number {
  if (v < pmax) {
    buf[p] = flags | v;
    return p + 1;
  }
  buf[p++] = flags | pmax;
  v -= pmax;
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p] = v;
  return p + 1;
}

function writeRaw(buf: Buffer, p: number, s: string): number {
  const len = s.length;
  p = writeInt(buf, p, 0, 0x7f, len);
  if (len <= 16) {
    for (let i = 0; i < len; i++) buf[p + i] = s.charCodeAt(i);
  } else {
    (buf as FastBuf).latin1Write(s, p, len);
  }
  return p + len;
}

export interface HpackEncoderOptions {
  /** Huffman-code the strings that get shorter that way (default false: raw strings, cheaper in CPU). */
  huffman?: boolean;
}

export class HpackEncoder extends Ring {
  private readonly huffman: boolean;
  /** The table's maximum size: min(peer's SETTINGS_HEADER_TABLE_SIZE, 4096). */
  private capacity = ENCODER_MAX_TABLE;
  private pendingUpdate = false;
  /** Smallest capacity since the last block (signalled first when below the final one, RFC 7541 §4.2). */
  private pendingMin = INT_MAX;
  private readonly byName = new Map<string, DynName>();
  private buf: Buffer = Buffer.allocUnsafe(4096);

  constructor(options: HpackEncoderOptions = {}) {
    super();
    this.huffman = options.huffman === true;
  }

  /** SETTINGS_HEADER_TABLE_SIZE received from the peer. */
  setPeerMaxTableSize(n: number): void {
    const c = Math.min(n, ENCODER_MAX_TABLE);
    if (c === this.capacity) return;
    this.capacity = c;
    this.evictTo(c);
    this.pendingUpdate = true;
    if (c < this.pendingMin) this.pendingMin = c;
  }

  protected override evictOne(): void {
    const id = this.insertCount - this.count;
    const slot = id & this.mask;
    const name = this.names[slot];
    const dn = this.byName.get(name);
    if (dn !== undefined) {
      // Eviction goes oldest first: when the name's newest entry goes, it was the last one of that name.
      if (dn.id === id) this.byName.delete(name);
      else if (dn.values.get(this.values[slot]) === id) dn.values.delete(this.values[slot]);
    }
    super.evictOne();
  }

  private insert(name: string, value: string): void {
    this.add(name, value, this.capacity);
    const id = this.insertCount - 1;
    let dn = this.byName.get(name);
    if (dn === undefined) {
      dn = { id, values: new Map() };
      this.byName.set(name, dn);
    } else {
      dn.id = id;
    }
    dn.values.set(value, id);
  }

  private writeString(buf: Buffer, p: number, s: string): number {
    if (this.huffman && s.length > 0) {
      const hl = encodedLength(s);
      if (hl < s.length) return huffmanEncode(s, buf, writeInt(buf, p, 0x80, 0x7f, hl));
    }
    return writeRaw(buf, p, s);
  }

  private ensure(n: number): Buffer {
    if (n > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(b);
      this.buf = b;
    }
    return this.buf;
  }

  /** Encode headers (flat [name, value, ...], names lowercase, pseudo-headers first) into one header block. */
  encode(headers: readonly string[]): Buffer {
    let buf = this.buf;
    let p = 0;
    if (this.pendingUpdate) {
      if (this.pendingMin < this.capacity) p = writeInt(buf, p, 0x20, 0x1f, this.pendingMin);
      p = writeInt(buf, p, 0x20, 0x1f, this.capacity);
      this.pendingUpdate = false;
      this.pendingMin = INT_MAX;
    }
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i];
      const value = headers[i + 1];
      // 3 integers of at most 6 octets, and the strings (a Huffman string is only used when shorter).
      if (p + 18 + name.length + value.length > buf.length) buf = this.ensure(p + 18 + name.length + value.length);

      const st = STATIC_BY_NAME.get(name);
      if (st !== undefined) {
        const si = st.values.get(value);
        if (si !== undefined) {
          buf[p++] = 0x80 | si;
          continue;
        }
      }
      const dn = this.count === 0 ? undefined : this.byName.get(name);
      if (dn !== undefined) {
        const id = dn.values.get(value);
        if (id !== undefined) {
          p = writeInt(buf, p, 0x80, 0x7f, STATIC_TABLE_LENGTH + this.insertCount - id);
          continue;
        }
      }
      const nameIdx =
        st !== undefined ? st.index : dn !== undefined ? STATIC_TABLE_LENGTH + this.insertCount - dn.id : 0;
      const indexing = st !== undefined ? st.indexing : Indexing.INCREMENTAL;
      const sz = name.length + value.length + ENTRY_OVERHEAD;
      if (indexing === Indexing.INCREMENTAL && sz <= MAX_INDEXED_ENTRY && sz <= this.capacity) {
        p = writeInt(buf, p, 0x40, 0x3f, nameIdx);
        if (nameIdx === 0) p = this.writeString(buf, p, name);
        p = this.writeString(buf, p, value);
        this.insert(name, value);
      } else {
        p = writeInt(buf, p, indexing === Indexing.NEVER ? 0x10 : 0x00, 0x0f, nameIdx);
        if (nameIdx === 0) p = this.writeString(buf, p, name);
        p = this.writeString(buf, p, value);
      }
    }
    const out = Buffer.allocUnsafe(p);
    buf.copy(out, 0, 0, p);
    return out;
  }
}

/** Literal without indexing, new name, no Huffman, no table: for tests and attack generators. */
export function encodeHeaderBlockLiteral(headers: readonly string[]): Buffer {
  let n = 0;
  for (let i = 0; i < headers.length; i++) n += 7 + headers[i].length;
  const buf = Buffer.allocUnsafe(n + 1);
  let p = 0;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    buf[p++] = 0x00;
    p = writeRaw(buf, p, headers[i]);
    p = writeRaw(buf, p, headers[i + 1]);
  }
  return buf.subarray(0, p);
}
