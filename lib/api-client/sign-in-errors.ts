/**
 * What a failed sign-in sends back to /signin as `?error=<code>` (next-auth's codes, and Verso's
 * own `OAuthEmailNotVerified`), said so a person can act on it. Pure: the sign-in form shows it.
 */
const MESSAGES: Readonly<Record<string, string>> = {
  OAuthEmailNotVerified:
    'The provider has not verified your email address, so Verso cannot tie it to an account. Verify the address with the provider (for GitHub: Settings → Emails), then sign in again, or sign in with your password.',
  OAuthAccountNotLinked:
    'An account with this email address already exists and is not linked to that provider. Sign in with your password (or the provider you used before), then link the provider.',
  AccessDenied: 'Sign-in was refused. If you cancelled at the provider, try again; otherwise ask the owner of this Verso for access.',
  Verification: 'That sign-in link has expired or was already used. Ask for a new one.',
  Configuration: 'Sign-in with that provider is not set up correctly on this server. Sign in with your password, or tell the administrator.',
  CredentialsSignin: 'The email address or password is wrong.',
  SessionRequired: 'Sign in to see that page.',
};
const PROVIDER_TROUBLE = /^(OAuthSignin|OAuthSignInError|OAuthCallback|OAuthCallbackError|OAuthCreateAccount|Callback|CallbackRouteError)$/;

/** The message for the `error` query parameter of `search` (a location.search), or null when there is none. */
export function signInErrorMessage(search: string): string | null {
  const code = new URLSearchParams(search).get('error');
  if (code === null || code === '') return null;
  if (Object.hasOwn(MESSAGES, code)) return MESSAGES[code]!;
  if (PROVIDER_TROUBLE.test(code)) return 'Signing in with the provider did not complete. Try again; if it keeps failing, sign in with your password.';
  return 'Sign-in did not complete. Try again.';
}
