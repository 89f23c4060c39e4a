'use client';
/**
 * Commented text drawn over the Quill editor: a layer of translucent boxes that takes no input
 * (pointer-events: none), so highlighting never changes the document (no formats, no ops).
 * Ranges are in local document coordinates; call `update` when they change and `refresh` when the
 * layout may have moved.
 */
import type Quill from 'quill';
import { EditorOverlay, rangeRects } from '@/lib/api-client/remote-cursors.ts';
import type { TextRange } from '@/lib/ot/anchor.ts';

export interface Highlight {
  readonly threadId: string;
  readonly range: TextRange;
  readonly active: boolean;
  readonly resolved: boolean;
}

export class CommentHighlights extends EditorOverlay {
  #highlights: readonly Highlight[] = [];

  constructor(quill: Quill) {
    super(quill, 'comment-highlights');
  }

  update(highlights: readonly Highlight[]): void {
    this.#highlights = highlights;
    this.refresh();
  }

  protected draw(): void {
    const fragment = document.createDocumentFragment();
    const last = Math.max(0, this.quill.getLength() - 1);
    for (const h of this.#highlights) {
      const from = Math.min(h.range.index, last);
      const to = Math.min(h.range.index + h.range.length, last);
      if (to <= from) continue;
      for (const rect of rangeRects(this.quill, from, to)) {
        const box = document.createElement('div');
        box.className = `comment-highlight${h.active ? ' active' : ''}${h.resolved ? ' resolved' : ''}`;
        box.dataset.threadId = h.threadId;
        Object.assign(box.style, { left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px` });
        fragment.appendChild(box);
      }
    }
    this.layer.replaceChildren(fragment);
  }
}
