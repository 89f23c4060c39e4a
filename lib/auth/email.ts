/** Email addresses as Verso stores and compares them. */
import { lineProblem } from './text.ts';

/** Longest address accepted (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** Trimmed and lower-cased: one account per address whatever its case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Why an address is refused, as a sentence; null when it is acceptable. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'Email is required.';
  const line = lineProblem('Email', email);
  if (line) return line;
  if (email.length > MAX_EMAIL_LENGTH) return `Email too long: at most ${MAX_EMAIL_LENGTH} characters.`;
  if (!/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email)) return `"${email}" is not an email address; use the form name@example.com.`;
  return null;
}
