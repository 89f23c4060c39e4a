/** Per-address sign-in limits count IPv6 clients by their /64 [issue 21.5 leftover]. */
import { describe, expect, it } from 'vitest';
import { addressLimitKey } from '../../lib/auth/request-helpers.ts';

describe('addressLimitKey', () => {
  it('keeps an IPv4 address as it is, and reads IPv4-mapped IPv6 as IPv4', () => {
    expect(addressLimitKey('198.51.100.7')).toBe('198.51.100.7');
    expect(addressLimitKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressLimitKey('::FFFF:198.51.100.7')).toBe('198.51.100.7');
  });

  it('keys every address of one IPv6 /64 the same, whatever its spelling', () => {
    const key = '2001:db8:1:2::/64';
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:9', '2001:db8:1:2:a:b:192.0.2.1', '2001:db8:1:2::5%eth0']) {
      expect(addressLimitKey(address)).toBe(key);
    }
  });

  it('keeps different /64s apart, including ones written with ::', () => {
    expect(addressLimitKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(addressLimitKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('leaves anything else (no address known) as it is', () => {
    expect(addressLimitKey('unknown')).toBe('unknown');
  });
});
