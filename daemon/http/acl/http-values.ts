/**
 * The small parsers the fetches share: comma-separated header values, cookies and URL parameters,
 * with HAProxy's rules (http_find_header, http_extract_cookie_value, find_url_param_value).
 */

/**
 * Split one header field value at commas outside double quotes, trimming spaces and tabs around each
 * value, as HAProxy's `hdr()` does (empty values between commas are kept).
 */
export function splitCommaValues(line: string, out: string[]): void {
  if (!line.includes(',')) {
    out.push(trimOws(line));
    return;
  }
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === ',' && !quoted) {
      out.push(trimOws(line.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimOws(line.slice(start)));
}

/** Every comma-separated value of every field line, in order. */
export function commaValues(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of lines) splitCommaValues(l, out);
  return out;
}

/** Remove leading and trailing spaces and tabs (HTTP's optional whitespace). */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** The `occ` argument of `hdr(name,occ)`: 1 = first, -1 = last; out of range gives undefined. */
export function occurrence<T>(values: readonly T[], occ: number): T | undefined {
  if (occ > 0) return values[occ - 1];
  if (occ < 0) return values[values.length + occ];
  return values[values.length - 1];
}

const isSpHt = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** Where a cookie value ends: the first `;` or `,` outside double quotes (http_find_cookie_value_end). */
function cookieValueEnd(line: string, from: number): number {
  let quoted = false;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') return i;
  }
  return line.length;
}

/**
 * The values of cookie `name` (every cookie when null) in `Cookie` header lines, as HAProxy's
 * http_extract_cookie_value reads them: cookies are split at `;` and `,`, spaces around names and values
 * are ignored, a cookie without `=` is not a cookie, and (a quirk kept for compatibility) a cookie is only
 * looked at when at least name-length + 2 characters remain on the line, so a trailing `name=` is not found.
 */
export function cookieValues(lines: readonly string[], name: string | null): string[] {
  const out: string[] = [];
  const nl = name === null ? 0 : name.length;
  for (const line of lines) {
    const end = line.length;
    for (let p = 0; p + nl + 1 < end; ) {
      while (p < end && isSpHt(line[p])) p++;
      let eq = p;
      let attEnd = p;
      while (eq < end) {
        const c = line[eq];
        if (c === '=' || c === ';' || c === ',') break;
        eq++;
        if (!isSpHt(c)) attEnd = eq;
      }
      if (eq >= end || line[eq] !== '=') {
        p = eq + 1;
        continue;
      }
      let vb = eq + 1;
      while (vb < end && isSpHt(line[vb])) vb++;
      const next = cookieValueEnd(line, vb);
      let ve = next;
      while (ve > vb && isSpHt(line[ve - 1])) ve--;
      if (name === null || (attEnd - p === nl && line.startsWith(name, p))) out.push(line.slice(vb, ve));
      p = next + 1;
    }
  }
  return out;
}

/**
 * The values of URL parameter `name` (every parameter when name is null) in a query string, split at
 * `&`, `;` and the optional extra delimiter. A parameter without `=` has the value ''.
 */
export function urlParams(query: string, name: string | null, delim: string | null): string[] {
  const out: string[] = [];
  let start = 0;
  const isDelim = (c: string): boolean => c === '&' || c === ';' || c === delim;
  for (let i = 0; i <= query.length; i++) {
    if (i < query.length && !isDelim(query[i])) continue;
    const part = query.slice(start, i);
    start = i + 1;
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (name === null || key === name) out.push(eq < 0 ? '' : part.slice(eq + 1));
  }
  return out;
}

/** The part of a URL where parameters are looked for: after the first `?`, or after the first extra delimiter. */
export function paramSource(url: string, delim: string | null): string | null {
  const q = url.indexOf('?');
  if (q >= 0) return url.slice(q + 1);
  if (delim !== null) {
    const d = url.indexOf(delim);
    if (d >= 0) return url.slice(d + 1);
  }
  return null;
}
