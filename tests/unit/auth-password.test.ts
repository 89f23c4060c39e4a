import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../lib/auth/password.ts';
import { emailProblem, normalizeEmail } from '../../lib/auth/email.ts';

describe('password hashing (scrypt)', () => {
  it('verifies the right password, refuses others, and salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery staple'), hashPassword('correct horse battery staple')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', b)).toBe(false);
  });

  it('treats malformed or hostile stored hashes as a mismatch, never a crash or a huge allocation', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$x$y$z$a$b', 'scrypt$1073741824$8$1$c2FsdA$aGFzaA', 'scrypt$16$8$1$c2FsdA$']) {
      expect(await verifyPassword('whatever it is', stored), stored).toBe(false);
    }
  });
});

describe('password strength rule', () => {
  it('accepts long varied passwords and explains each refusal', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('short')).toMatch(/at least 10 characters/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/at least 5 different characters/);
    expect(passwordProblem('password1234')).toMatch(/too common/);
    expect(passwordProblem('ada.lovelace-1815', { email: 'ada.lovelace@example.com' })).toMatch(/email name or display name/);
    expect(passwordProblem('x'.repeat(300) + 'abcde')).toMatch(/at most 256/);
  });
});

describe('emails', () => {
  it('are compared lower-cased and must look like addresses', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(emailProblem('ada@example.com')).toBeNull();
    for (const bad of ['', 'ada', 'ada@', '@example.com', 'ada@example', 'a b@example.com']) expect(emailProblem(bad), bad).not.toBeNull();
  });
});

describe('password length and normalization (issue 21 item 10)', () => {
  it('counts code points, not UTF-16 units: five emoji are five characters, too short', () => {
    expect('😀😁😂🤣😃'.length).toBe(10);
    expect(passwordProblem('😀😁😂🤣😃')).toMatch(/too short/);
    expect(passwordProblem('😀😁😂🤣😃😄😅😆😉😊')).toBeNull();
    // 200 emoji are 400 UTF-16 units but 200 characters: under the 256 limit.
    expect(passwordProblem('😀😁😂🤣😃'.repeat(40))).toBeNull();
  });

  it('judges the NFKC form that is hashed: the full-width spelling of a refused password is refused', async () => {
    const fullWidth = 'ｐａｓｓｗｏｒｄ１２３４';
    expect(fullWidth.normalize('NFKC')).toBe('password1234');
    expect(passwordProblem(fullWidth)).toMatch(/too common/);
    expect(passwordProblem('ＡＡＡＡＡＡＡＡＡＡＡＡ')).toMatch(/5 different characters/);
    expect(passwordProblem('ａｄａ．ｌｏｖｅｌａｃｅ-1815', { email: 'ada.lovelace@example.com' })).toMatch(/email name/);
    // …and hashing agrees with the check: both spellings are one password.
    const hash = await hashPassword('ｃｏｒｒｅｃｔ horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
  });
});

describe('control characters (issue 21 item 12)', () => {
  it('are refused in passwords and emails', () => {
    expect(passwordProblem('correct horse\u0000battery staple')).toMatch(/control characters/);
    expect(emailProblem('ada\u0000@example.com')).toMatch(/control characters/);
    expect(emailProblem('ada@exam\u0007ple.com')).toMatch(/control characters/);
  });
});
