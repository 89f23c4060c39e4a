'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { signOut } from '@/lib/client/auth.ts';
import { colorFor, initials } from '@/lib/client/colors.ts';
import type { Me } from './use-me.ts';

/** The bar at the top of every signed-in page: home, settings, who you are, sign out. */
export function AppHeader({ me, children }: { me: Me; children?: ReactNode }) {
  return (
    <header className="app-header">
      <Link href="/" className="brand" aria-label="Verso: your documents">
        Verso
      </Link>
      <div className="app-header-middle">{children}</div>
      <nav className="app-header-nav" aria-label="Account">
        <Link href="/settings/tokens">API tokens</Link>
        <span className="avatar" style={{ background: colorFor(me.id) }} title={`${me.name ?? me.email} (you)`} aria-hidden="true">
          {initials(me.name, me.email)}
        </span>
        <button
          type="button"
          className="button-link"
          onClick={async () => {
            await signOut();
            location.assign('/');
          }}
        >
          Sign out
        </button>
      </nav>
    </header>
  );
}
