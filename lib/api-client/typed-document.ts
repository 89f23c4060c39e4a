/**
 * Helpers over the generated typed documents (lib/api-client/gql): their result and variable types,
 * and checks for the schema's JSON scalars, whose shape the schema cannot state.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { Delta, type Selection } from '../ot/operation.ts';

/** The result type of a generated document. */
export type ResultOf<D> = D extends DocumentTypeDecoration<infer R, infer _V> ? R : never;
/** The variables type of a generated document. */
export type VariablesOf<D> = D extends DocumentTypeDecoration<infer _R, infer V> ? V : never;

/** A JSON scalar that must hold a Delta (`{ ops: [...] }`). Throws on anything else: the server broke its contract. */
export function deltaFromJson(value: unknown): Delta {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { ops?: unknown }).ops)) {
    return new Delta((value as { ops: Delta['ops'] }).ops);
  }
  throw new TypeError('Expected a Delta ({ "ops": [...] }) from the server.');
}

/** A selection with the version it was made at (presence), or null when absent or malformed. */
export function versionedSelectionFromJson(value: unknown): (Selection & { version: number }) | null {
  if (typeof value !== 'object' || value === null) return null;
  const { index, length, version } = value as Record<string, unknown>;
  if (![index, length, version].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return null;
  return { index: index as number, length: length as number, version: version as number };
}
