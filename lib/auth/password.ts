/**
 * Password hashing with scrypt (memory-hard) and a per-user random salt. The encoded hash carries
 * its own parameters so they can be raised later without invalidating stored hashes.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { codePointLength, lineProblem } from './text.ts';

/**
 * The form of a password that is hashed and checked: NFKC, so the full-width or ligature spelling
 * of a password is the same password (and a weak one is refused in every spelling).
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Shortest accepted password, in code points after normalization. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longest accepted password, in code points after normalization: bounds the hashing work one request can ask for. */
export const MAX_PASSWORD_LENGTH = 256;

const KEY_LENGTH = 32;
// N = 2^15, r = 8: 32 MiB and tens of milliseconds per hash (OWASP's scrypt minimum is N = 2^17
// with r = 8 / p = 1 or an equivalent; 2^15 with p = 1 keeps sign-in fast on small machines while
// staying memory-hard). Stored with each hash, so raising it later only affects new hashes.
const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(normalizePassword(password), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = DEFAULT_PARAMS;
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * True when `password` matches `encoded`. The comparison is constant-time; a malformed hash is
 * a mismatch, never an exception.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length === 0) return false;
  const actual = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same time as verifying a real hash. Sign-in calls it for unknown emails so response
 * times do not reveal which emails have accounts.
 */
export async function verifyPasswordAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('verso-dummy-password-for-timing');
  await verifyPassword(password, await dummyHash);
  return false;
}

/**
 * Why a password is refused, as a sentence a person can act on; null when it is acceptable.
 * Lengths count code points (five emoji are five characters), and every rule judges the
 * normalized form, the one that is hashed.
 */
export function passwordProblem(raw: string, context: { email?: string; name?: string | null } = {}): string | null {
  // Normalizing can expand text up to 18-fold: refuse absurd inputs before doing it.
  if (raw.length > MAX_PASSWORD_LENGTH * 4) return `Password too long: use at most ${MAX_PASSWORD_LENGTH} characters.`;
  const password = normalizePassword(raw);
  const control = lineProblem('Password', password);
  if (control) return control;
  const length = codePointLength(password);
  if (length < MIN_PASSWORD_LENGTH) {
    return `Password too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few unrelated words work well).`;
  }
  if (length > MAX_PASSWORD_LENGTH) return `Password too long: use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (new Set(password).size < 5) return 'Password too repetitive: use at least 5 different characters.';
  const lower = password.toLowerCase();
  const local = context.email?.split('@')[0]?.toLowerCase();
  const name = context.name?.normalize('NFKC').toLowerCase();
  if ((local && codePointLength(local) >= 4 && lower.includes(local)) || (name && codePointLength(name) >= 4 && lower.includes(name))) {
    return 'Password too easy to guess: it must not contain your email name or display name.';
  }
  if (COMMON.some((word) => lower.includes(word)) && new Set(lower.replace(/[^a-z]/g, '')).size < 8) {
    return 'Password too common: avoid words like "password" or "qwerty"; a few unrelated words work well.';
  }
  return null;
}

const COMMON = ['password', 'qwerty', 'letmein', '123456', 'azerty', 'iloveyou', 'welcome', 'admin', 'verso'];
