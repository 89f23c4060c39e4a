/**
 * "Anyone with the link" (issue 20 item 2). A document has at most one link: a role and a secret.
 *
 * The secret is 256 bits derived as HMAC-SHA256(AUTH_SECRET, link id) with a random 256-bit link
 * id, so it is never stored (only its SHA-256, compared in constant time) yet an owner can copy
 * the link again at any time. It travels in the URL's fragment (`/share/<id>#<secret>`), which
 * browsers never send to a server, and then in a GraphQL request body: no access log, Referer or
 * request log sees it.
 *
 * A join gives a *link membership*: a DocumentMember row pointing at the link (`link_id`). It
 * shows in the share list ("via link"), follows the link's role, and ends when the link is turned
 * off or replaced (the row goes with the link: ON DELETE CASCADE, in the same statement). A
 * membership an owner gave (by email, or by changing a role) is never touched by a link.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../db/prisma.ts';
import type { DocumentRole } from './permissions.ts';

/** The link of a document as stored: no secret, only its hash. */
export interface StoredLink {
  readonly id: string;
  readonly role: DocumentRole;
  readonly secretHash: string;
}

const hash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The secret of a link: only owners see it (in `Document.linkSharing.url`). */
export function linkSecret(authSecret: string, linkId: string): string {
  return createHmac('sha256', authSecret).update(`verso-share-link\u0000${linkId}`).digest('base64url');
}

/** Whether `given` is the link's secret, in time that does not depend on where they differ. */
export function secretMatches(given: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = Buffer.from(hash(given), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The URL to hand out: the secret after `#`, so it never reaches a server's logs. */
export function shareUrl(appOrigin: string, documentId: string, secret: string): string {
  return `${appOrigin}/share/${encodeURIComponent(documentId)}#${secret}`;
}

export function findLink(prisma: PrismaClient, documentId: string): Promise<StoredLink | null> {
  return prisma.documentLink.findUnique({ where: { documentId }, select: { id: true, role: true, secretHash: true } });
}

function newLink(authSecret: string, documentId: string, role: DocumentRole) {
  const id = randomBytes(32).toString('base64url');
  return { id, documentId, role, secretHash: hash(linkSecret(authSecret, id)) };
}

/**
 * Turns the link on with `role`, changes its role (its members' too), or with null turns it off
 * (its members lose access). Answers whether anyone's access may have changed.
 */
export async function setLink(prisma: PrismaClient, authSecret: string, documentId: string, role: DocumentRole | null): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const current = await tx.documentLink.findUnique({ where: { documentId }, select: { id: true, role: true } });
    if (role === null) {
      if (!current) return false;
      await tx.documentLink.delete({ where: { id: current.id } });
      return true;
    }
    if (!current) {
      await tx.documentLink.create({ data: newLink(authSecret, documentId, role) });
      return false;
    }
    if (current.role === role) return false;
    await tx.documentLink.update({ where: { id: current.id }, data: { role } });
    await tx.documentMember.updateMany({ where: { linkId: current.id }, data: { role } });
    return true;
  });
}

/** Replaces the link's secret, keeping its role; the old link's members lose access. False when the link is off. */
export async function replaceLink(prisma: PrismaClient, authSecret: string, documentId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const current = await tx.documentLink.findUnique({ where: { documentId }, select: { id: true, role: true } });
    if (!current) return false;
    await tx.documentLink.delete({ where: { id: current.id } });
    await tx.documentLink.create({ data: newLink(authSecret, documentId, current.role) });
    return true;
  });
}

/**
 * Gives `userId` a link membership with the link's current role, unless they already have a role
 * on the document (kept as it is). False when the link was turned off or replaced meanwhile.
 */
export async function joinLink(prisma: PrismaClient, linkId: string, documentId: string, userId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    // FOR SHARE: a concurrent role change, turn-off or replacement waits for this join (and then
    // carries or cascades the new row) instead of racing it.
    const [link] = await tx.$queryRaw<Array<{ role: DocumentRole }>>`
      SELECT role::text AS role FROM document_links WHERE id = ${linkId} AND document_id = ${documentId} FOR SHARE`;
    if (!link) return false;
    await tx.documentMember.createMany({ data: [{ documentId, userId, role: link.role, linkId }], skipDuplicates: true });
    return true;
  });
}
