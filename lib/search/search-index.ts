/**
 * Full-text search over title and content (issue 20 item 3), on PostgreSQL's text search: one
 * `document_search` row per document (title, plain text, a weighted tsvector with a GIN index).
 *
 * Kept current off the write path and off the read path: nothing here runs when an op commits,
 * and a search only reads. Each instance's background indexer (./search-indexer.ts) re-indexes
 * documents whose row is missing or behind, so a word typed is found within about one indexer
 * interval of its ack. The `simple` configuration (no stemming): documents are in any language,
 * and it exists in every PostgreSQL build, PGlite's included.
 */
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import type { DocumentRole } from '../auth/permissions.ts';

/** Text beyond this many characters of a document is not indexed (tsvector holds at most 1 MB). */
export const MAX_INDEXED_CHARS = 300_000;
/** Words of a query used (the rest are ignored), and their longest length. */
const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 64;

// Markers ts_headline puts around matches; stripped from indexed text so they are unambiguous.
const START = '\u0001';
const STOP = '\u0002';
const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * The tsquery for what a person typed: each word (letters and digits) as a prefix, all of them
 * required, so results narrow as they type. Null when it has no word. Only letters and digits
 * reach the query text, so no input can inject tsquery syntax.
 */
export function searchQuery(input: string): string | null {
  const words = input.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words.map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_TERMS);
  return terms.length === 0 ? null : terms.map((t) => `${t}:*`).join(' & ');
}

/** The text indexed for a document's content: its characters, markers and control characters blanked. */
export function indexableText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.slice(0, MAX_INDEXED_CHARS).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
}

/** A snippet: plain text and the UTF-16 spans of it that matched. */
export interface Snippet {
  readonly text: string;
  readonly highlights: ReadonlyArray<{ readonly start: number; readonly length: number }>;
}

/** Turns ts_headline's output (matches between the markers) into text and spans; never markup. */
export function parseHeadline(headline: string): Snippet {
  let text = '';
  const highlights: Array<{ start: number; length: number }> = [];
  let open = -1;
  for (const ch of headline) {
    if (ch === START) open = text.length;
    else if (ch === STOP) {
      if (open >= 0 && text.length > open) highlights.push({ start: open, length: text.length - open });
      open = -1;
    } else text += ch;
  }
  return { text, highlights };
}

/** Which of the user's documents a search looks at (the `documents` list's filters). */
export interface SearchScope {
  readonly userId: string;
  /** Only these roles (null: any). */
  readonly roles: readonly DocumentRole[] | null;
  /** The trash instead of live documents. */
  readonly trash: boolean;
}

/** A search hit: the document row, the user's role, and the excerpt. */
export interface SearchHit {
  readonly document: { id: string; organizationId: string; title: string; version: number; createdAt: Date; updatedAt: Date; deletedAt: Date | null };
  readonly role: DocumentRole;
  readonly snippet: Snippet;
}

/**
 * The user's documents matching `query` (from {@link searchQuery}), best first (title matches
 * weigh more than content ones), then most recently changed; `offset`/`limit` page them.
 */
export async function searchDocuments(prisma: PrismaClient, scope: SearchScope, query: string, offset: number, limit: number): Promise<SearchHit[]> {
  const roleFilter = scope.roles ? Prisma.sql`AND m.role::text IN (${Prisma.join(scope.roles)})` : Prisma.empty;
  const deletedFilter = scope.trash ? Prisma.sql`d.deleted_at IS NOT NULL` : Prisma.sql`d.deleted_at IS NULL`;
  const rows = await prisma.$queryRaw<
    Array<{ id: string; organization_id: string; title: string; version: number; created_at: Date; updated_at: Date; deleted_at: Date | null; role: DocumentRole; headline: string }>
  >`
    WITH q AS (SELECT to_tsquery('simple', ${query}) AS q),
    hits AS (
      SELECT d.id, d.organization_id, d.title, d.version, d.created_at, d.updated_at, d.deleted_at, m.role::text AS role,
             s.body, ts_rank(s.search, q.q) AS rank
      FROM document_members m
        JOIN documents d ON d.id = m.document_id
        JOIN document_search s ON s.document_id = d.id
        CROSS JOIN q
      WHERE m.user_id = ${scope.userId} AND ${deletedFilter} ${roleFilter} AND s.search @@ q.q
      ORDER BY rank DESC, d.updated_at DESC, d.id DESC
      OFFSET ${offset} LIMIT ${limit}
    )
    SELECT hits.id, hits.organization_id, hits.title, hits.version, hits.created_at, hits.updated_at, hits.deleted_at, hits.role,
           ts_headline('simple', hits.body, q.q, ${HEADLINE_OPTIONS}) AS headline
    FROM hits CROSS JOIN q
    ORDER BY hits.rank DESC, hits.updated_at DESC, hits.id DESC`;
  return rows.map((r) => ({
    document: { id: r.id, organizationId: r.organization_id, title: r.title, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at, deletedAt: r.deleted_at },
    role: r.role,
    snippet: parseHeadline(r.headline),
  }));
}
