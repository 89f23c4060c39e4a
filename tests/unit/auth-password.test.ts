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
