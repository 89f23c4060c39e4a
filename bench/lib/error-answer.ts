/** What the bench reads from an error answer: its code, message and `retryAfterSeconds`. Pure. */
/** One error answer: its `extensions.code` (INTERNAL_SERVER_ERROR when it has none, as CollabSession reads it). */
export interface ErrorAnswer {
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds: number | null;
}

interface ResultLike {
  readonly errors?: ReadonlyArray<{ readonly message?: string; readonly extensions?: Record<string, unknown> }> | null;
}

export function errorAnswer(result: ResultLike): ErrorAnswer {
  const first = result.errors?.[0];
  const code = first?.extensions?.code;
  const retry = first?.extensions?.retryAfterSeconds;
  return {
    code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
    message: first?.message ?? 'an answer with neither data nor errors',
    retryAfterSeconds: typeof retry === 'number' && Number.isFinite(retry) ? retry : null,
  };
}
