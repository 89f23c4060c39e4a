import type { Metadata } from 'next';
import { EditorPage } from '../../_components/editor/editor-page.tsx';

export const metadata: Metadata = { title: 'Document' };

/** `/docs/<id>`: the editor for one document. */
export default async function DocumentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EditorPage documentId={id} />;
}
