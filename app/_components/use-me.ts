'use client';
import { useEffect, useState } from 'react';
import { gqlFetch, errorMessage } from '@/lib/api-client/graphql-fetch.ts';
import { ME } from '@/lib/api-client/queries.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';

export type Me = NonNullable<ResultOf<typeof ME>['me']>;
export type MeState = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; me: Me } | { status: 'error'; message: string };

/** Who is signed in, asked of the API once per page. */
export function useMe(): MeState {
  const [state, setState] = useState<MeState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    gqlFetch(ME, {}).then(
      ({ me }) => live && setState(me ? { status: 'signedIn', me } : { status: 'signedOut' }),
      (error: unknown) => live && setState({ status: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** Sends a signed-out visitor to the sign-in page, coming back here afterwards. */
export function useRequireSignIn(state: MeState): void {
  useEffect(() => {
    if (state.status === 'signedOut') {
      location.replace(`/signin?${new URLSearchParams({ callbackUrl: location.pathname + location.search })}`);
    }
  }, [state.status]);
}
