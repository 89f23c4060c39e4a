/** Export converters (issue 6): Quill Delta → HTML, Markdown, text. */
import { describe, expect, it } from 'vitest';
import { toHtml, toHtmlBody } from '../../lib/export/html.ts';
import { escapeMarkdown, toMarkdown } from '../../lib/export/markdown.ts';
import { toText } from '../../lib/export/text.ts';
import { Delta } from '../../lib/ot/operation.ts';

const IMAGE = { image: 'https://example.com/cat.png' };
const doc = new Delta()
  .insert('Title')
  .insert('\n', { header: 2 })
  .insert('Say ')
  .insert('hi ', { bold: true })
  .insert('to ')
  .insert('you', { italic: true, link: 'https://example.com/?a=1&b=2' })
  .insert(' <3 * _x_\n')
  .insert(IMAGE)
  .insert('\n')
  .insert('first')
  .insert('\n', { list: 'ordered' })
  .insert('nested')
  .insert('\n', { list: 'ordered', indent: 1 })
  .insert('second')
  .insert('\n', { list: 'ordered' })
  .insert('done')
  .insert('\n', { list: 'checked' })
  .insert('const a = `x`;')
  .insert('\n', { 'code-block': 'javascript' })
  .insert('return a;')
  .insert('\n', { 'code-block': 'javascript' })
  .insert('quoted')
  .insert('\n', { blockquote: true })
  .insert('\n')
  .insert('# not a heading')
  .insert('\n', { align: 'center' });

describe('export', () => {
  it('text is the document text without embeds', () => {
    expect(toText(doc)).toBe('Title\nSay hi to you <3 * _x_\n\nfirst\nnested\nsecond\ndone\nconst a = `x`;\nreturn a;\nquoted\n\n# not a heading\n');
  });

  it('markdown: headings, emphasis outside spaces, escaped text, images, numbered nested lists, task lists, fenced code, quotes', () => {
    expect(toMarkdown(doc)).toBe(
      [
        '## Title',
        '',
        'Say **hi** to [*you*](https://example.com/?a=1&b=2) \\<3 \\* \\_x\\_',
        '',
        '![](https://example.com/cat.png)',
        '',
        '1. first\n    1. nested\n2. second\n- [x] done',
        '',
        '```javascript\nconst a = `x`;\nreturn a;\n```',
        '',
        '> quoted',
        '',
        '<br>',
        '',
        '\\# not a heading',
        '',
      ].join('\n'),
    );
    expect(escapeMarkdown('a*b_c[d]`e`\\')).toBe('a\\*b\\_c\\[d\\]\\`e\\`\\\\');
    expect(toMarkdown(new Delta().insert('1. not a list\n- nor this\n'))).toBe('1\\. not a list\n\n\\- nor this\n');
    expect(toMarkdown(new Delta().insert('a `tick`', { code: true }).insert('\n'))).toBe('`` a `tick` ``\n');
  });

  it('html: escaped text and attributes, grouped lists and code, checklists, alignment, images', () => {
    expect(toHtmlBody(doc)).toBe(
      [
        '<h2>Title</h2>',
        '<p>Say <strong>hi </strong>to <a href="https://example.com/?a=1&amp;b=2"><em>you</em></a> &lt;3 * _x_</p>',
        '<p><img src="https://example.com/cat.png" alt=""></p>',
        '<ol>\n<li>first</li>\n<li class="ql-indent-1">nested</li>\n<li>second</li>\n</ol>\n<ul class="checklist">\n<li data-checked="true">done</li>\n</ul>',
        '<pre><code class="language-javascript">const a = `x`;\nreturn a;</code></pre>',
        '<blockquote>quoted</blockquote>',
        '<p><br></p>',
        '<p style="text-align: center"># not a heading</p>',
      ].join('\n'),
    );
    const page = toHtml(new Delta().insert('x\n'), 'A <b> title');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<title>A &lt;b&gt; title</title>');
    expect(toHtmlBody(new Delta().insert('red', { color: '#f00', underline: true, strike: true, script: 'super' }).insert('\n'))).toBe(
      '<p><span style="color: #f00"><u><s><sup>red</sup></s></u></span></p>',
    );
  });
});
