'use client';
import { useEffect, useState } from 'react';
import { gqlFetch, errorMessage, GraphQLRequestError } from '@/lib/api-client/graphql-fetch.ts';
import { ME } from '@/lib/api-client/queries.ts';
import { recallIdentity, rememberIdentity } from '@/lib/api-client/offline-identity.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';

export type Me = NonNullable<ResultOf<typeof ME>['me']>;
export type MeState = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; me: Me } | { status: 'error'; message: string };

/**
 * Who is signed in, asked of the API once per page. Offline (the API unreachable), the account
 * last signed in on this browser, so that its kept edits can open (issue 20).
 */
export function useMe(): MeState {
  const [state, setState] = useState<MeState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    gqlFetch(ME, {}).then(
      ({ me }) => {
        rememberIdentity(me);
        if (live) setState(me ? { status: 'signedIn', me } : { status: 'signedOut' });
      },
      (error: unknown) => {
        const known = error instanceof GraphQLRequestError && error.code === 'NETWORK_ERROR' ? recallIdentity() : null;
        if (live) setState(known ? { status: 'signedIn', me: known } : { status: 'error', message: errorMessage(error) });
      },
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
