/** A failed provider sign-in is explained on the sign-in page, never silently dropped. */
import { describe, expect, it } from 'vitest';
import { signInErrorMessage } from '../../lib/api-client/sign-in-errors.ts';

describe('sign-in error messages', () => {
  it('explains an unverified provider address (GitHub, Google, OIDC) and what to do', () => {
    expect(signInErrorMessage('?error=OAuthEmailNotVerified&callbackUrl=%2Fdocs%2Fx')).toMatch(/not verified your email address.*Verify the address/);
  });
  it('explains an address that belongs to an account not linked to the provider', () => {
    expect(signInErrorMessage('?error=OAuthAccountNotLinked')).toMatch(/already exists and is not linked/);
  });
  it('answers every other code with a message, and nothing without a code', () => {
    expect(signInErrorMessage('?error=OAuthCallbackError')).toMatch(/provider did not complete/);
    expect(signInErrorMessage('?error=SomethingNew')).toBe('Sign-in did not complete. Try again.');
    expect(signInErrorMessage('?error=__proto__')).toBe('Sign-in did not complete. Try again.');
    expect(signInErrorMessage('?callbackUrl=%2F')).toBeNull();
    expect(signInErrorMessage('')).toBeNull();
  });
});
