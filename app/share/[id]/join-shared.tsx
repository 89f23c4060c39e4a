'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { JOIN_SHARED_DOCUMENT } from '@/lib/api-client/queries.ts';
import { useMe } from '../../_components/use-me.ts';

/**
 * Where a link's secret waits while a signed-out visitor signs in or up (same tab only). It came
 * in the URL's fragment, which no server sees; keeping it here rather than in `callbackUrl` keeps
 * it out of every request line and log on the way.
 */
const storageKey = (documentId: string) => `verso-share-secret:${documentId}`;

function takeSecretFromUrl(documentId: string): string | null {
  const fromHash = location.hash.slice(1);
  if (fromHash) {
    sessionStorage.setItem(storageKey(documentId), fromHash);
    // Out of the address bar and history: the person may copy or share this page's address.
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(storageKey(documentId));
}

type State = { kind: 'working' } | { kind: 'signedOut' } | { kind: 'failed'; message: string } | { kind: 'incomplete' };

/** Opens a share link: joins with the link's role and goes to the document; signed out, sign in or up first and come back. */
export function JoinShared({ documentId }: { documentId: string }) {
  const me = useMe();
  const [state, setState] = useState<State>({ kind: 'working' });
  // A new link pasted into this tab changes only the fragment: no page load, so try again here.
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const again = () => {
      setState({ kind: 'working' });
      setAttempt((n) => n + 1);
    };
    window.addEventListener('hashchange', again);
    return () => window.removeEventListener('hashchange', again);
  }, []);

  useEffect(() => {
    const secret = takeSecretFromUrl(documentId);
    if (!secret) return setState({ kind: 'incomplete' });
    if (me.status === 'loading') return;
    if (me.status === 'error') return setState({ kind: 'failed', message: me.message });
    if (me.status === 'signedOut') return setState({ kind: 'signedOut' });
    let live = true;
    gqlFetch(JOIN_SHARED_DOCUMENT, { documentId, secret }).then(
      () => {
        sessionStorage.removeItem(storageKey(documentId));
        location.replace(`/docs/${encodeURIComponent(documentId)}`);
      },
      (error: unknown) => {
        sessionStorage.removeItem(storageKey(documentId));
        if (live) setState({ kind: 'failed', message: errorMessage(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [documentId, me, attempt]);

  const back = new URLSearchParams({ callbackUrl: `/share/${encodeURIComponent(documentId)}` });
  return (
    <main className="auth-page">
      <div className="card auth-card" aria-live="polite">
        <Link href="/" className="brand">
          Verso
        </Link>
        {state.kind === 'working' && (
          <>
            <h1>Opening the shared document…</h1>
            <p className="muted" aria-busy="true">
              One moment.
            </p>
          </>
        )}
        {state.kind === 'signedOut' && (
          <>
            <h1>A document was shared with you</h1>
            <p>Sign in or create an account to open it; you will come straight back to it.</p>
            <p className="auth-switch">
              <Link className="button primary" href={`/signin?${back}`}>
                Sign in
              </Link>{' '}
              <Link className="button" href={`/signup?${back}`}>
                Create an account
              </Link>
            </p>
          </>
        )}
        {state.kind === 'incomplete' && (
          <>
            <h1>This link is incomplete</h1>
            <p>The part after “#” is missing. Copy the whole link again, or ask the owner to send it.</p>
            <Link href="/">Go to your documents</Link>
          </>
        )}
        {state.kind === 'failed' && (
          <>
            <h1>This link does not open a document</h1>
            <p className="form-error" role="alert">
              {state.message}
            </p>
            <Link href="/">Go to your documents</Link>
          </>
        )}
      </div>
    </main>
  );
}
