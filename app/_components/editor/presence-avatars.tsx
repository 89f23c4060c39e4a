'use client';
import type { Peer } from '@/lib/api-client/collab-session.ts';
import { colorFor, initials } from '@/lib/api-client/colors.ts';
import type { Me } from '../use-me.ts';

/** Everyone in the document, once per person (a person may have several editors open), you first. */
export function PresenceAvatars({ me, peers }: { me: Me; peers: readonly Peer[] }) {
  const people = new Map<string, { id: string; name: string }>();
  people.set(me.id, { id: me.id, name: `${me.name ?? me.email} (you)` });
  for (const peer of peers) if (!people.has(peer.userId)) people.set(peer.userId, { id: peer.userId, name: peer.name ?? 'Someone' });
  const list = [...people.values()];
  const shown = list.slice(0, 5);
  const label = `In this document: ${list.map((p) => p.name).join(', ')}`;
  return (
    <ul className="presence" aria-label={label} title={label}>
      {shown.map((p) => (
        <li key={p.id} className="avatar" style={{ background: colorFor(p.id) }} title={p.name} data-user-id={p.id}>
          <span aria-hidden="true">{initials(p.name.replace(/ \(you\)$/, ''), '?')}</span>
          <span className="visually-hidden">{p.name}</span>
        </li>
      ))}
      {list.length > shown.length && <li className="avatar more">+{list.length - shown.length}</li>}
    </ul>
  );
}
