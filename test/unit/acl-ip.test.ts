import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipInNet, parseIPv4, parseIPv6, parseIp, parseIpNet, plainAddress, type IpNet } from '../../daemon/http/acl/ip.js';

const net = (t: string): IpNet => {
  const n = parseIpNet(t);
  assert.ok(typeof n !== 'string', `${t}: ${String(n)}`);
  return n;
};
const inNet = (addr: string, pattern: string): boolean => {
  const a = parseIp(addr);
  assert.ok(a, addr);
  return ipInNet(a, net(pattern));
};

test('IPv4 in the inet_aton forms of the manual (7.1.6): 192.168.1 = 192.168.0.1, 10.12 = 10.0.0.12, 127.1 = 127.0.0.1', () => {
  assert.equal(parseIPv4('192.168.0.1'), parseIPv4('192.168.1'));
  assert.equal(parseIPv4('10.0.0.12'), parseIPv4('10.12'));
  assert.equal(parseIPv4('127.0.0.1'), parseIPv4('127.1'));
  assert.equal(parseIPv4('1.2.3.4'), 0x01020304);
  for (const bad of ['1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '1..2', '', '1.2.65536', '256.1']) assert.equal(parseIPv4(bad), null, bad);
});

test('IPv6: compressed forms, zones, IPv4 tails', () => {
  assert.deepEqual([...parseIPv6('::1')!], [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...parseIPv6('2001:db8::8:800:200c:417a')!], [0x2001, 0xdb8, 0, 0, 0x8, 0x800, 0x200c, 0x417a]);
  assert.deepEqual([...parseIPv6('fe80::1%eth0')!], [0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...parseIPv6('::ffff:1.2.3.4')!], [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  assert.deepEqual([...parseIPv6('1:2:3:4:5:6:7:8')!], [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const bad of ['1:2:3', '1::2::3', '12345::', '::g', '1:2:3:4:5:6:7:8:9', '::1.2.3']) assert.equal(parseIPv6(bad), null, bad);
});

test('patterns: plain, /bits, dotted masks, IPv6 /bits; host names and bad masks are errors', () => {
  assert.deepEqual(net('10.0.0.0/8'), { v: 4, addr: 0x0a000000, mask: 0xff000000 });
  assert.deepEqual(net('10.0.0.0/255.255.0.0'), { v: 4, addr: 0x0a000000, mask: 0xffff0000 });
  assert.deepEqual(net('10.1.2.3'), { v: 4, addr: 0x0a010203, mask: 0xffffffff });
  assert.equal((net('2001:db8::/32') as { bits: number }).bits, 32);
  assert.equal(parseIpNet('10.0.0.0/33'), "'10.0.0.0/33' is not a valid IPv4 or IPv6 address");
  assert.equal(parseIpNet('::1/129'), "'::1/129' is not a valid IPv4 or IPv6 address");
  assert.equal(parseIpNet('1.2.3.4:80'), "'1.2.3.4:80' is not a valid IPv4 or IPv6 address");
  assert.match(parseIpNet('localhost') as string, /host names are not supported in IP patterns by lbd/);
});

test('matching within a family, with masks', () => {
  assert.equal(inNet('10.1.2.3', '10.0.0.0/8'), true);
  assert.equal(inNet('11.1.2.3', '10.0.0.0/8'), false);
  assert.equal(inNet('192.168.1.200', '192.168.1.128/25'), true);
  assert.equal(inNet('192.168.1.127', '192.168.1.128/25'), false);
  assert.equal(inNet('0.0.0.0', '0.0.0.0/0'), true);
  assert.equal(inNet('255.255.255.255', '0.0.0.0/0'), true);
  assert.equal(inNet('2001:db8:1::5', '2001:db8::/32'), true);
  assert.equal(inNet('2001:db9::5', '2001:db8::/32'), false);
  assert.equal(inNet('2001:db8::1', '2001:db8::/127'), true);
  assert.equal(inNet('2001:db8::2', '2001:db8::/127'), false);
});

test('mixing families as HAProxy does: IPv4 sample vs IPv6 pattern via ::ffff:, IPv6 sample vs IPv4 pattern via ::ffff:, ::, 2002:', () => {
  assert.equal(inNet('1.2.3.4', '::ffff:1.2.3.0/120'), true);
  assert.equal(inNet('1.2.3.4', '::1'), false);
  assert.equal(inNet('::ffff:10.1.1.1', '10.0.0.0/8'), true);
  assert.equal(inNet('::10.1.1.1', '10.0.0.0/8'), true);
  assert.equal(inNet('2002:0a01:0101::1', '10.0.0.0/8'), true);
  assert.equal(inNet('2001:db8::1', '10.0.0.0/8'), false);
});

test('plainAddress drops the IPv4-mapped prefix only', () => {
  assert.equal(plainAddress('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(plainAddress('::ffff:abcd'), '::ffff:abcd');
  assert.equal(plainAddress('1.2.3.4'), '1.2.3.4');
});
