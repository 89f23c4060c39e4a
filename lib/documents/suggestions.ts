/**
 * Suggestions (issue 18): proposed insertions and deletions that stay in the document as marked
 * text until someone accepts or rejects them (lib/ot/SPEC.md SG1 to SG18). Every method answers
 * a `{ kind }` value or a `Rejected` with a stable code and a message a person can act on; a
 * refusal of the op itself carries `extensions.reason` (SG13). Only bugs throw.
 *
 * Who may do what (all through `can()`, by the access service): OWNER, EDITOR and COMMENTER
 * suggest (`comment`); OWNER and EDITOR accept and reject anyone's suggestion (`edit`); the
 * author of a suggestion may reject (withdraw) it with `comment`; VIEWER reads them (`read`).
 *
 * Each write is one op through the operations service, so it is sequenced, stored, broadcast,
 * in history and restorable like any edit; nothing else is stored.
 */
import { randomUUID } from 'node:crypto';
import type { DocumentAction } from '../auth/permissions.ts';
import { clientIdProblem } from '../collab/planner.ts';
import type { OpStore } from '../collab/op-store.ts';
import { acceptOp, findSuggestion, openSuggestions, rejectOp, suggestionIdFor, toSuggestion, validateSuggestionOp, type SuggestionRange } from '../ot/suggestion.ts';
import type { DocumentAccess } from './access.ts';
import type { OperationInput, Operations, SubmitOptions, Submitted } from './operations.ts';
import { carryOver, type HeadReader } from './suggestions-heads.ts';
import { rejected, unauthenticated, type Rejected, type RequestScope } from './types.ts';

/** One open suggestion at head (API.md `Suggestion`). */
export interface SuggestionState {
  readonly id: string;
  /** The suggester's user id (from the marks). */
  readonly authorId: string;
  readonly insertedText: string;
  readonly deletedText: string;
  /** Where its marked text is, at `version`. */
  readonly ranges: readonly (SuggestionRange & { readonly version: number })[];
  /** When the op that opened it was applied (the document's head time when that op is unknown). */
  readonly createdAt: Date;
}

export interface Suggestions {
  /** The open suggestions at head, in document order [SG10]. */
  list(req: RequestScope, documentId: string): Promise<{ kind: 'suggestions'; version: number; suggestions: SuggestionState[] } | Rejected>;
  /** `suggestOperation`: the op carried to head, converted by `toSuggestion` there, then submitted at head [SG15, SG18]. */
  suggest(req: RequestScope, input: OperationInput): Promise<Submitted | Rejected>;
  /** One op accepting (`accept`) or rejecting suggestion `suggestionId` as it stands at head [SG12]. */
  resolve(req: RequestScope, documentId: string, suggestionId: string, accept: boolean): Promise<Submitted | Rejected>;
}

export interface SuggestionsDeps {
  readonly access: DocumentAccess;
  readonly store: OpStore;
  readonly operations: Operations;
  readonly heads: HeadReader;
}

/** clientId prefix of accept and reject ops (one fresh clientId each). */
export const RESOLVE_CLIENT_PREFIX = 'suggestion-';

/**
 * How many times `suggest` converts one submission, and `resolve` builds one accept or reject, on
 * a newer head before answering a retryable `CONFLICT` [SG18, SG19].
 */
const MAX_ATTEMPTS = 3;

/** The retryable refusal after {@link MAX_ATTEMPTS} made-again submissions [SG18, SG19]. */
const tooBusy = (what: string, attempts: number): Rejected =>
  rejected('CONFLICT', `${what}, ${attempts} times; nothing was stored. Send it again.`, { retryable: true });

/** Largest clientSeq the op log stores (a PostgreSQL integer). */
const MAX_STORED_CLIENT_SEQ = 2_147_483_647;

/**
 * The stored (clientId, clientSeq) an id of `suggestionIdFor` may name, or null. Editors name
 * their local changes `<clientId>:<n>` with any n (SG6; the web editor counts from the clock), so
 * an n past what the log stores names no submission.
 */
function submissionOf(id: string): { clientId: string; clientSeq: number } | null {
  const cut = id.lastIndexOf(':');
  if (cut <= 0) return null;
  const clientSeq = Number(id.slice(cut + 1));
  return Number.isSafeInteger(clientSeq) && clientSeq >= 1 && clientSeq <= MAX_STORED_CLIENT_SEQ ? { clientId: id.slice(0, cut), clientSeq } : null;
}

export function createSuggestions(deps: SuggestionsDeps): Suggestions {
  const { access, store, operations, heads } = deps;

  return {
    async list(req, documentId) {
      const allowed = await access.check(req.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const head = await headOnly(allowed.document.id);
      if (head.kind === 'rejected') return head;
      const open = openSuggestions(head.content);
      const suggestions = await Promise.all(
        open.map(async (s): Promise<SuggestionState> => {
          const made = submissionOf(s.id);
          const op = made === null ? null : await store.findByClientSeq(documentId, made.clientId, made.clientSeq);
          return {
            id: s.id,
            authorId: s.author,
            insertedText: s.insertedText,
            deletedText: s.deletedText,
            ranges: s.ranges.map((r) => ({ index: r.index, length: r.length, version: head.version })),
            createdAt: op !== null && op.authorId === s.author ? op.createdAt : head.createdAt,
          };
        }),
      );
      return { kind: 'suggestions', version: head.version, suggestions };
    },

    async suggest(req, input) {
      const viewer = req.viewer;
      if (viewer === null) return unauthenticated();
      const badClientId = clientIdProblem(input.clientId);
      if (badClientId) return rejected('BAD_USER_INPUT', badClientId);
      if (!Number.isSafeInteger(input.clientSeq) || input.clientSeq < 1) return rejected('BAD_USER_INPUT', `clientSeq must be a whole number ≥ 1, got ${input.clientSeq}.`);
      if (input.clientId.startsWith(RESOLVE_CLIENT_PREFIX)) {
        return rejected('BAD_USER_INPUT', `clientIds starting with "${RESOLVE_CLIENT_PREFIX}" are reserved for accepting and rejecting suggestions; use another clientId (a UUID per open editor).`);
      }
      const allowed = await access.checkCached(viewer, input.documentId, 'comment', req.connection?.grants);
      if (allowed.kind === 'rejected') return allowed;
      const documentId = allowed.document.id;
      const delta = validateSuggestionOp(input.delta);
      if (!delta.ok) return rejected(delta.code === 'NOT_FOUND' ? 'BAD_USER_INPUT' : delta.code, `delta: ${delta.message}`, { reason: delta.reason });
      // A resend: the first answer, before converting again on a head that already has it [S2].
      const stored = await store.findByClientSeq(documentId, input.clientId, input.clientSeq);
      if (stored !== null && stored.authorId === viewer.userId) return { kind: 'duplicate', version: stored.version, delta: stored.delta };
      // Converted at the head read here, checked where it commits (PL10); when an op committed in
      // between resolved a proposal it really deletes, or marked text it proposes deleting,
      // converted again on the newer head [SG18] (without another rate-limit token or grant read).
      let again: SubmitOptions['again'];
      for (let attempt = 1; ; attempt++) {
        const view = await heads.read(documentId, input.baseVersion);
        if (view.kind === 'rejected') return view;
        const converted = toSuggestion(view.content, carryOver(delta.value, view), {
          author: viewer.userId,
          id: suggestionIdFor(input.clientId, input.clientSeq),
        });
        if (!converted.ok) return rejected(converted.code, `delta: ${converted.message}`, { reason: converted.reason });
        const submitted = await operations.submit(
          req,
          { ...input, documentId, baseVersion: view.version, delta: converted.value },
          { suggestion: { action: 'comment', check: 'suggestion' }, ...(again ? { again } : {}) },
        );
        if (submitted.kind !== 'rejected' || submitted.extensions?.reason !== 'PROPOSAL_RESOLVED') return submitted;
        if (attempt === MAX_ATTEMPTS) return tooBusy('Suggestions were accepted or rejected while yours was being recorded', attempt);
        again = { documentId };
      }
    },

    async resolve(req, documentId, suggestionId, accept) {
      const viewer = req.viewer;
      if (viewer === null) return unauthenticated();
      const readable = await access.check(viewer, documentId, 'read');
      if (readable.kind === 'rejected') return readable;
      const id = readable.document.id;
      // Built at the head read here, checked where it commits: when an op committed in between
      // resolved or changed the suggestion, built again on the newer head (which then answers
      // NOT_FOUND when it is gone) [SG19].
      let again: SubmitOptions['again'];
      for (let attempt = 1; ; attempt++) {
        const head = await headOnly(id);
        if (head.kind === 'rejected') return head;
        const suggestion = findSuggestion(head.content, suggestionId);
        // Withdrawing is rejecting one's own: `comment` suffices; the rest needs `edit`.
        const action: DocumentAction = !accept && suggestion?.author === viewer.userId ? 'comment' : 'edit';
        if (again === undefined) {
          const allowed = await access.check(viewer, documentId, action);
          if (allowed.kind === 'rejected') {
            if (allowed.code !== 'FORBIDDEN') return allowed;
            const what = accept ? 'accept suggestions' : 'reject other people\'s suggestions (you may withdraw your own)';
            return rejected('FORBIDDEN', `Only owners and editors of this document may ${what}.`, allowed.extensions as Record<string, unknown> | undefined);
          }
        }
        const op = accept ? acceptOp(head.content, suggestionId) : rejectOp(head.content, suggestionId);
        if (!op.ok) return rejected(op.code, op.message, { reason: op.reason });
        const clientId = `${RESOLVE_CLIENT_PREFIX}${accept ? 'accept' : 'reject'}:${randomUUID()}`;
        const submitted = await operations.submit(
          req,
          { documentId: id, baseVersion: head.version, clientId, clientSeq: 1, delta: op.value },
          { suggestion: { action, check: { kind: 'resolve', suggestionId, accept } }, ...(again ? { again } : {}) },
        );
        if (submitted.kind !== 'rejected' || submitted.extensions?.reason !== 'PROPOSAL_RESOLVED') return submitted;
        if (attempt === MAX_ATTEMPTS) return tooBusy(`Suggestion ${suggestionId.slice(0, 120)} kept changing while you ${accept ? 'accepted' : 'rejected'} it`, attempt);
        again = { documentId: id };
      }
    },
  };

  /** The head with no ops to catch up: one read of its version, and none more when the kept copy is at it. */
  async function headOnly(documentId: string) {
    const version = (await store.headVersions([documentId])).get(documentId) ?? 0;
    return heads.read(documentId, version, version);
  }
}
