/**
 * Addresses as HAProxy writes them: `host`, `host:port`, `1.2.3.4:80`, `[::1]:80`, `ipv4@…`, `ipv6@…`,
 * and for listeners `*:80`, `:80`, `fd@3`. Without brackets the last colon separates the port (HAProxy's
 * rule), so `:::80` is `::` port 80; an IPv6 address without a port needs brackets.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { AddressDraft } from './drafts.js';
import { parsePort, type Parsed } from './units.js';

const FAMILY_PREFIXES: Readonly<Record<string, 'ipv4' | 'ipv6'>> = { 'ipv4@': 'ipv4', 'ipv6@': 'ipv6' };
const UNSUPPORTED_PREFIXES: Readonly<Record<string, string>> = {
  'unix@': 'UNIX sockets',
  'abns@': 'abstract UNIX sockets',
  'sockpair@': 'socket pairs',
  'udp@': 'UDP',
  'udp4@': 'UDP',
  'udp6@': 'UDP',
  'quic4@': 'QUIC',
  'quic6@': 'QUIC',
};

const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

interface Split {
  host: string;
  port: string | null; // null = no ':' at all; '' = a trailing ':' with nothing after it
  family: 'any' | 'ipv4' | 'ipv6';
}

/** Strip a family prefix and split host from port. */
function split(text: string): Parsed<Split> {
  let rest = text;
  let family: Split['family'] = 'any';
  const prefix = /^[a-z0-9]+@/.exec(rest)?.[0];
  if (prefix !== undefined) {
    if (prefix in FAMILY_PREFIXES) family = FAMILY_PREFIXES[prefix];
    else if (prefix in UNSUPPORTED_PREFIXES) return fail(`${UNSUPPORTED_PREFIXES[prefix]} ('${prefix}') are not supported by lbd`);
    else if (prefix !== 'fd@') return fail(`unknown address prefix '${prefix}' (expected ipv4@ or ipv6@)`);
    if (prefix !== 'fd@') rest = rest.slice(prefix.length);
  } else if (rest.startsWith('/')) {
    return fail('UNIX socket paths are not supported by lbd');
  }
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail(`missing ']' in '${text}'`);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return fail(`unexpected '${after}' after ']' in '${text}'`);
    return { ok: true, value: { host: rest.slice(1, close), port: after === '' ? null : after.slice(1), family } };
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { ok: true, value: { host: rest, port: null, family } };
  return { ok: true, value: { host: rest.slice(0, colon), port: rest.slice(colon + 1), family } };
}

function portOf(text: string, raw: string): Parsed<number> {
  if (/^\d+-\d+$/.test(raw)) return fail(`port ranges are not supported ('${text}')`);
  if (/^[+-]\d+$/.test(raw)) return fail(`port offsets are not supported ('${text}')`);
  const p = parsePort(raw);
  return p.ok ? p : fail(`invalid port '${raw}' in '${text}' (expected 1..65535)`);
}

/** Check the host part and work out its family; a host with a colon must be an IPv6 literal. */
function hostOf(text: string, s: Split): Parsed<AddressDraft> {
  const ipFamily = isIP(s.host) === 4 ? 'ipv4' : isIP(s.host) === 6 ? 'ipv6' : null;
  if (s.host.includes(':') && ipFamily === null) {
    return fail(`invalid address '${text}' (write IPv6 addresses in brackets, e.g. '[::1]:80')`);
  }
  if (ipFamily !== null && s.family !== 'any' && s.family !== ipFamily) {
    return fail(`'${s.host}' is not an ${s.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  }
  if (ipFamily === null && !/^[A-Za-z0-9_.-]+$/.test(s.host)) return fail(`invalid host name '${s.host}' in '${text}'`);
  return { ok: true, value: { host: s.host, port: null, family: ipFamily ?? s.family, isIp: ipFamily !== null } };
}

/**
 * A server address: a host name or IP literal with an optional port. No port means "the port the
 * client connected to" (HAProxy semantics), so `port` is null.
 */
export function parseServerAddress(text: string): Parsed<AddressDraft> {
  const s = split(text);
  if (!s.ok) return s;
  if (text.startsWith('fd@')) return fail('file descriptors (fd@) are only valid on bind lines');
  if (s.value.host === '' || s.value.host === '*') return fail(`missing host in server address '${text}'`);
  const h = hostOf(text, s.value);
  if (!h.ok) return h;
  if (s.value.port === null || s.value.port === '') return h;
  const port = portOf(text, s.value.port);
  return port.ok ? { ok: true, value: { ...h.value, port: port.value } } : port;
}

/** A listener address: `[host]:port` where host may be empty or `*` for any address, or `fd@N`. */
export function parseBindAddress(text: string): Parsed<AddressDraft & { port: number; fd: number | null }> {
  const fd = /^fd@(.*)$/.exec(text);
  if (fd) {
    if (!/^\d+$/.test(fd[1])) return fail(`invalid file descriptor in '${text}' (expected fd@<number>)`);
    return { ok: true, value: { host: '', port: 0, family: 'any', isIp: true, fd: Number(fd[1]) } };
  }
  const s = split(text);
  if (!s.ok) return s;
  if (s.value.port === null || s.value.port === '') return fail(`missing port in bind address '${text}'`);
  const port = portOf(text, s.value.port);
  if (!port.ok) return port;
  if (s.value.host === '' || s.value.host === '*') {
    return { ok: true, value: { host: '', port: port.value, family: s.value.family, isIp: true, fd: null } };
  }
  const h = hostOf(text, s.value);
  return h.ok ? { ok: true, value: { ...h.value, port: port.value, fd: null } } : h;
}

/** The IP literal as a canonical string (IPv6 compressed and lower-case), for comparing listeners. */
export function canonicalIp(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return ip;
}

/** True for any-address listeners: `*`, `0.0.0.0`, `::`. */
export function isWildcard(host: string): boolean {
  return host === '' || host === '0.0.0.0' || canonicalIp(host) === '::';
}
