import type { Metadata } from 'next';
import { JoinShared } from './join-shared.tsx';

export const metadata: Metadata = { title: 'Shared document' };

/** `/share/<id>#<secret>`: what opening a share link does (issue 20). */
export default async function SharePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <JoinShared documentId={id} />;
}
