/**
 * The two suggestion marks (lib/ot/suggestion-marks.ts, SG1) as Quill formats, so proposed text
 * renders: a proposed insertion underlined, a proposed deletion struck through, both in the
 * suggester's colour (lib/api-client/colors.ts). The mark value stays in a data attribute, so
 * Quill reads back exactly what it was given.
 */
import type QuillType from 'quill';
import { colorFor } from '@/lib/api-client/colors.ts';
import { DELETE_MARK, decodeMark, INSERT_MARK } from '@/lib/ot/suggestion-marks.ts';

/** The Quill format names of the marks, for the editor's `formats` list. */
export const SUGGESTION_FORMATS: readonly string[] = [INSERT_MARK, DELETE_MARK];

let registered = false;

/** Registers both formats with Quill once (before any editor is made). */
export function registerSuggestionFormats(Quill: typeof QuillType): void {
  if (registered) return;
  registered = true;
  const Parchment = Quill.import('parchment') as typeof import('parchment');

  class MarkAttributor extends Parchment.Attributor {
    constructor(
      name: string,
      private readonly line: 'underline' | 'line-through',
    ) {
      super(name, `data-${name}`, { scope: Parchment.Scope.INLINE });
    }

    override add(node: HTMLElement, value: unknown): boolean {
      const mark = decodeMark(value);
      if (mark === null || !super.add(node, value)) return false;
      const color = colorFor(mark.author);
      node.style.color = color;
      node.style.textDecorationLine = this.line;
      node.style.textDecorationColor = color;
      node.title = this.line === 'underline' ? 'Proposed insertion' : 'Proposed deletion';
      return true;
    }

    override remove(node: HTMLElement): void {
      super.remove(node);
      node.style.removeProperty('color');
      node.style.removeProperty('text-decoration-line');
      node.style.removeProperty('text-decoration-color');
      node.removeAttribute('title');
      if (node.getAttribute('style') === '') node.removeAttribute('style');
    }
  }

  Quill.register({ [`formats/${INSERT_MARK}`]: new MarkAttributor(INSERT_MARK, 'underline'), [`formats/${DELETE_MARK}`]: new MarkAttributor(DELETE_MARK, 'line-through') }, true);
}
