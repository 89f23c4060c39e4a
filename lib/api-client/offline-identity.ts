/**
 * Who was last signed in on this browser, so that the editor can open a document's kept edits
 * while the network is off (issue 20): the API cannot answer `me` then. Holds the account's id,
 * name and email, never a credential; it only chooses whose IndexedDB records the page reads,
 * and the server still decides everything once it is reachable. Replaced whenever the API names
 * someone else, deleted when it says nobody is signed in and at sign-out, so another account on
 * the same browser is never taken for this one.
 */
import type { MeQuery } from './gql/graphql.ts';

export type Identity = NonNullable<MeQuery['me']>;

const KEY = 'verso-offline-identity';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled for this site
  }
}

/** Stores `me` as the account signed in on this browser (null: nobody is). */
export function rememberIdentity(me: Identity | null): void {
  try {
    const store = storage();
    if (me === null) store?.removeItem(KEY);
    else store?.setItem(KEY, JSON.stringify({ id: me.id, name: me.name, email: me.email }));
  } catch {
    // Quota or privacy settings: offline opening is then unavailable, nothing else changes.
  }
}

/** The account last signed in on this browser, or null (checked: another app version may have written it). */
export function recallIdentity(): Identity | null {
  try {
    const raw = storage()?.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Identity> | null;
    if (!value || typeof value.id !== 'string' || !value.id) return null;
    return { id: value.id, name: typeof value.name === 'string' ? value.name : null, email: typeof value.email === 'string' ? value.email : null };
  } catch {
    return null;
  }
}
