'use client';
import { AppHeader } from './app-header.tsx';
import { DocumentsList } from './documents-list.tsx';
import { Landing } from './landing.tsx';
import { useMe } from './use-me.ts';

export function Home() {
  const state = useMe();
  if (state.status === 'loading') return <main className="page-loading" aria-busy="true" />;
  if (state.status === 'error') {
    return (
      <main className="landing">
        <h1>Verso</h1>
        <p role="alert">{state.message}</p>
      </main>
    );
  }
  if (state.status === 'signedOut') return <Landing />;
  return (
    <>
      <AppHeader me={state.me} />
      <DocumentsList />
    </>
  );
}
