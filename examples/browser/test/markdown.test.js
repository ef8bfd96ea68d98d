// Unit tests of the demo page's Markdown renderer: the subset the content uses renders
// as expected, and nothing in the source can become markup or a script URL.
import assert from "node:assert/strict";
import { test } from "node:test";

import { renderInline, renderMarkdown, safeUrl } from "../../web/markdown.js";

const md = (source) => renderMarkdown(source, { headingOffset: 0 });

test("paragraphs, emphasis and inline code", () => {
  assert.equal(
    md("A **bold** and *soft* `x < y` claim.\nSame paragraph.\n\nNext."),
    "<p>A <strong>bold</strong> and <em>soft</em> <code>x &lt; y</code> claim.\nSame paragraph.</p><p>Next.</p>",
  );
});

test("underscores inside words stay literal", () => {
  assert.equal(renderInline("call __init__ or snake_case_name, but _this_"), "call <strong>init</strong> or snake_case_name, but <em>this</em>");
  assert.equal(renderInline("a_b_c"), "a_b_c");
});

test("code spans win over emphasis and may hold backticks", () => {
  assert.equal(renderInline("`*not em*` and ``a ` b``"), "<code>*not em*</code> and <code>a ` b</code>");
  assert.equal(renderInline("an unclosed ` tick"), "an unclosed ` tick");
});

test("fenced code keeps its text and names its language", () => {
  assert.equal(
    md("```python\n>>> x = [1]\n<b>\n```\nafter"),
    '<pre><code class="language-python">&gt;&gt;&gt; x = [1]\n&lt;b&gt;</code></pre><p>after</p>',
  );
  assert.equal(md("~~~\nplain\n~~~"), "<pre><code>plain</code></pre>");
});

test("headings shift by the offset", () => {
  assert.equal(renderMarkdown("### Why", { headingOffset: 1 }), "<h4>Why</h4>");
  assert.equal(renderMarkdown("###### Deep", { headingOffset: 3 }), "<h6>Deep</h6>");
  assert.equal(renderMarkdown("# Top\n\n### Section", { headingOffset: 1, minHeading: 4 }), "<h4>Top</h4><h4>Section</h4>");
});

test("nested lists with continuation lines", () => {
  const source = [
    "1. first",
    "2. second, with",
    "   - a nested point that",
    "     wraps **here**;",
    "   - another.",
    "3. third",
  ].join("\n");
  assert.equal(
    md(source),
    "<ol><li>first</li><li>second, with\n<ul><li>a nested point that\nwraps <strong>here</strong>;</li><li>another.</li></ul></li><li>third</li></ol>",
  );
});

test("a loose list wraps its items in paragraphs; an ordered list keeps its start", () => {
  assert.equal(md("- one\n\n- two"), "<ul><li><p>one</p></li><li><p>two</p></li></ul>");
  assert.equal(md("3. three\n4. four"), '<ol start="3"><li>three</li><li>four</li></ol>');
});

test("a list item may hold a code block", () => {
  assert.equal(
    md("- run it:\n\n  ```python\n  print(1)\n  ```\n- done"),
    '<ul><li><p>run it:</p><pre><code class="language-python">print(1)</code></pre></li><li><p>done</p></li></ul>',
  );
});

test("tables with alignment and escaped pipes", () => {
  assert.equal(
    md("| a | b |\n|:--|--:|\n| `x \\| y` | 2 |"),
    '<div class="table"><table><thead><tr><th class="align-left">a</th><th class="align-right">b</th></tr></thead>' +
      '<tbody><tr><td class="align-left"><code>x | y</code></td><td class="align-right">2</td></tr></tbody></table></div>',
  );
});

test("block quotes and rules", () => {
  assert.equal(md("> quoted *text*\n\n---"), "<blockquote><p>quoted <em>text</em></p></blockquote><hr>");
});

test("links: allowed schemes keep their address, external ones open safely", () => {
  assert.equal(
    renderInline("[docs](https://docs.python.org/3/ \"Python\")"),
    '<a href="https://docs.python.org/3/" title="Python" rel="noopener noreferrer" target="_blank">docs</a>',
  );
  assert.equal(renderInline("[see](#answer)"), '<a href="#answer">see</a>');
  assert.equal(renderInline("[f(x)](/a_(b))"), '<a href="/a_(b)">f(x)</a>');
});

test("raw HTML is shown as text, never as markup", () => {
  const hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)"> <b>bold?</b>';
  const html = md(hostile);
  assert.ok(!/<(script|img|b)[\s>]/i.test(html), html);
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
});

test("script and data URLs lose their link but keep their text", () => {
  for (const url of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:x", "data:text/html,<b>", "vbscript:x"]) {
    const html = renderInline(`[click](${url})`);
    assert.equal(html, "click", `${JSON.stringify(url)} gave ${html}`);
    assert.equal(safeUrl(url), null, url);
  }
  assert.equal(safeUrl("guide/page:2"), "guide/page:2");
  assert.equal(safeUrl("mailto:a@example.com"), "mailto:a@example.com");
});

test("attribute values cannot be broken out of", () => {
  const html = renderInline('[x](https://e.com/"onmouseover="alert(1) "t\\" onclick=\\"y")');
  assert.ok(!html.includes('" onmouseover'), html);
  assert.ok(!/\son\w+=/.test(html.replace(/&quot;/g, "")), html);
});

test("autolinks", () => {
  assert.equal(
    renderInline("<https://example.com/a_b>"),
    '<a href="https://example.com/a_b" rel="noopener noreferrer" target="_blank">https://example.com/a_b</a>',
  );
  assert.equal(renderInline("<javascript:alert(1)>"), "&lt;javascript:alert(1)&gt;");
});
