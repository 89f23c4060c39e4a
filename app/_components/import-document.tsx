'use client';
/**
 * The documents page's Import button: pick a .docx, .md or .html file; it is posted to
 * `POST /api/documents/import` (same-origin, the session cookie) and the new document opens.
 * Refusals (too large, corrupt, unsupported) show the server's message.
 */
import { useRef, useState } from 'react';

const ACCEPT = '.docx,.md,.markdown,.html,.htm';
const MAX_BYTES = 5 * 1024 * 1024;

export function ImportDocument() {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function upload(file: File) {
    setError(null);
    if (file.size > MAX_BYTES) {
      setError(`"${file.name}" is ${(file.size / 1024 / 1024).toFixed(1)} MiB; files up to 5.0 MiB can be imported.`);
      return;
    }
    setBusy(true);
    try {
      const response = await fetch(`/api/documents/import?${new URLSearchParams({ filename: file.name })}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
        body: file,
      });
      const body = (await response.json().catch(() => null)) as { id?: string; errors?: Array<{ message?: string }> } | null;
      if (response.status === 201 && body?.id) {
        location.assign(`/docs/${encodeURIComponent(body.id)}`);
        return;
      }
      setError(body?.errors?.[0]?.message ?? `The import failed (${response.status}); try again.`);
    } catch {
      setError('Cannot reach the server. Check your connection and try again.');
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  }

  return (
    <span className="import-document">
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        hidden
        aria-label="File to import"
        data-testid="import-file"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void upload(file);
        }}
      />
      <button type="button" className="button" disabled={busy} onClick={() => input.current?.click()} title="Create a document from a Word (.docx), Markdown (.md) or HTML file">
        {busy ? 'Importing…' : 'Import…'}
      </button>
      {error && (
        <span className="form-error" role="alert" style={{ marginLeft: '0.5rem' }}>
          {error}
        </span>
      )}
    </span>
  );
}
