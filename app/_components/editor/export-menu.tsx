'use client';
/**
 * The editor's Export menu: the document as HTML, Markdown, text, Word (.docx) or PDF, at head or,
 * while a version is previewed in History, at that version. Plain links to the export route
 * (GET, same cookie), so the browser downloads the file itself.
 */
const FORMATS = [
  ['docx', 'Word (.docx)'],
  ['pdf', 'PDF'],
  ['html', 'HTML'],
  ['markdown', 'Markdown'],
  ['text', 'Plain text'],
] as const;

export function ExportMenu({ documentId, version, disabled }: { documentId: string; version: number | null; disabled: boolean }) {
  const at = version === null ? '' : `&version=${version}`;
  return (
    <details className="export-menu" style={{ position: 'relative' }}>
      <summary className="button" aria-disabled={disabled} style={disabled ? { pointerEvents: 'none', opacity: 0.5 } : undefined}>
        Export{version === null ? '' : ` version ${version}`}
      </summary>
      <ul role="menu" aria-label="Export as" style={{ position: 'absolute', right: 0, zIndex: 20, listStyle: 'none', margin: '0.25rem 0 0', padding: '0.25rem 0', background: '#fff', border: '1px solid #ccc', borderRadius: 6, minWidth: '11rem', boxShadow: '0 4px 12px rgba(0,0,0,0.12)' }}>
        {FORMATS.map(([format, label]) => (
          <li key={format} role="none">
            <a role="menuitem" href={`/api/documents/${encodeURIComponent(documentId)}/export?format=${format}${at}`} download style={{ display: 'block', padding: '0.35rem 0.9rem' }}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}
