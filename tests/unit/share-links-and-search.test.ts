/** Link sharing's permission rows and secrets, and search's query and excerpt parsing (issue 20). */
import { describe, expect, it } from 'vitest';
import { can, type LinkResource, type Principal } from '../../lib/auth/permissions.ts';
import { linkSecret, secretMatches, shareUrl } from '../../lib/auth/share-links.ts';
import { indexableText, parseHeadline, searchQuery } from '../../lib/search/search-index.ts';
import { createHash } from 'node:crypto';

const session: Principal = { userId: 'u1' };
const token = (...scopes: Array<'read' | 'write' | 'share' | 'delete' | 'account'>): Principal => ({ userId: 'u1', scopes: new Set(scopes) });
const link = (over: Partial<LinkResource> = {}): LinkResource => ({ kind: 'link', role: 'EDITOR', secretMatches: true, deleted: false, ...over });

describe("can(principal, 'join', link)", () => {
  // The matrix: who may join through a link, in which state of the link.
  const rows: Array<[string, Principal | null, LinkResource, boolean]> = [
    ['a session with the current secret of a link that is on', session, link(), true],
    ['every role the link can give', session, link({ role: 'VIEWER' }), true],
    ['nobody signed in', null, link(), false],
    ['link sharing off', session, link({ role: null }), false],
    ['a wrong or old secret', session, link({ secretMatches: false }), false],
    ['a document in the trash', session, link({ deleted: true }), false],
    ['a token without the share scope', token('read', 'write'), link(), false],
    ['a token with the share scope', token('read', 'share'), link(), true],
  ];
  for (const [name, principal, resource, allowed] of rows) {
    it(`${allowed ? 'allows' : 'refuses'}: ${name}`, () => expect(can(principal, 'join', resource)).toBe(allowed));
  }
});

describe('link secrets', () => {
  const hashOf = (s: string) => createHash('sha256').update(s).digest('hex');

  it('are 256 bits, one per link id and server secret, and only the exact secret matches its hash', () => {
    const secret = linkSecret('server-secret', 'link-1');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(linkSecret('server-secret', 'link-1')).toBe(secret);
    expect(linkSecret('server-secret', 'link-2')).not.toBe(secret);
    expect(linkSecret('other-secret', 'link-1')).not.toBe(secret);
    expect(secretMatches(secret, hashOf(secret))).toBe(true);
    for (const wrong of ['', secret.slice(1), `${secret}=`, secret.toLowerCase()]) expect(secretMatches(wrong, hashOf(secret))).toBe(false);
  });

  it('travel in the fragment of the link, never in its path or query', () => {
    const url = new URL(shareUrl('https://verso.example', 'doc 1', 'abc_DEF-123'));
    expect(url.pathname).toBe('/share/doc%201');
    expect(url.search).toBe('');
    expect(url.hash).toBe('#abc_DEF-123');
  });
});

describe('searchQuery', () => {
  it('makes every word a required prefix, lower-cased', () => {
    expect(searchQuery('Lighthouse  Budget')).toBe('lighthouse:* & budget:*');
    expect(searchQuery('Größe café 42')).toBe('größe:* & café:* & 42:*');
  });

  it('lets no tsquery syntax through, and answers null without a word', () => {
    expect(searchQuery("a' | !b & (c) <-> d:*")).toBe('a:* & b:* & c:* & d:*');
    expect(searchQuery('  !!! ')).toBeNull();
    expect(searchQuery('')).toBeNull();
  });

  it('bounds the words used and their length', () => {
    expect(searchQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))!.split(' & ')).toHaveLength(8);
    expect(searchQuery('x'.repeat(500))).toBe(`${'x'.repeat(64)}:*`);
  });
});

describe('parseHeadline', () => {
  it("turns ts_headline's markers into plain text and UTF-16 spans", () => {
    expect(parseHeadline('the \u0001lighthouse\u0002 and the \u0001light\u0002')).toEqual({
      text: 'the lighthouse and the light',
      highlights: [{ start: 4, length: 10 }, { start: 23, length: 5 }],
    });
    expect(parseHeadline('😀 \u0001é\u0002')).toEqual({ text: '😀 é', highlights: [{ start: 3, length: 1 }] });
  });

  it('leaves markup as text', () => {
    const parsed = parseHeadline('<script>\u0001alert\u0002(1)</script>');
    expect(parsed.text).toBe('<script>alert(1)</script>');
    expect(parsed.highlights).toEqual([{ start: 8, length: 5 }]);
  });

  it('indexes no marker characters, so a document cannot forge a highlight', () => {
    expect(indexableText('a\u0001b\u0002c\nd\te')).toBe('a b c\nd\te');
  });
});
