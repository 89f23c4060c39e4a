'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { signOut } from '@/lib/api-client/auth.ts';
import { clearOfflineData, unsentEditCount } from '@/lib/api-client/offline-store.ts';
import { colorFor, initials } from '@/lib/api-client/colors.ts';
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
            // Edits kept in this browser for later (issue 20) are this person's: ask before
            // dropping unsent ones, and never leave them behind for the next account.
            const unsent = await unsentEditCount(me.id);
            if (unsent > 0 && !window.confirm(`${unsent === 1 ? '1 change you made has' : `${unsent} changes you made have`} not reached the server yet. Signing out deletes ${unsent === 1 ? 'it' : 'them'} from this browser. Sign out anyway?`)) return;
            await clearOfflineData(me.id);
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
