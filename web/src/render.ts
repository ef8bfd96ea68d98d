/**
 * Markdown and code on the page. The renderer (the demo's `examples/web/markdown.js`,
 * unit-tested in examples/browser) writes the only tags and escapes every piece of source
 * text; its output is parsed in an inert <template> and moved in as nodes. Links other
 * than absolute http(s) ones become plain text here: in this client a `#…` or relative
 * link would land in its own hash router. Code is highlighted by highlight.js (bundled from npm: core plus
 * the languages the content uses), whose output is escaped text inside <span>s; any
 * other element it might contain is dropped, keeping its text.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import pythonRepl from "highlight.js/lib/languages/python-repl";
import sql from "highlight.js/lib/languages/sql";
import yaml from "highlight.js/lib/languages/yaml";

import { renderInline, renderMarkdown } from "../../examples/web/markdown.js";

hljs.registerLanguage("python", python);
hljs.registerLanguage("pycon", pythonRepl);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);
hljs.registerLanguage("sql", sql);
hljs.registerLanguage("yaml", yaml);
hljs.configure({ ignoreUnescapedHTML: true });

/** Copies only <span class="hljs-..."> and text from highlight.js output. */
function safeSpans(from: Node, into: Node): void {
  for (const child of [...from.childNodes]) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(document.createTextNode(child.textContent ?? ""));
    } else if (child instanceof HTMLElement && child.tagName === "SPAN") {
      const span = document.createElement("span");
      const classes = [...child.classList].filter((c) => /^hljs-[\w-]+$/.test(c) || /^[\w-]+_$/.test(c));
      if (classes.length > 0) span.className = classes.join(" ");
      safeSpans(child, span);
      into.appendChild(span);
    } else {
      into.appendChild(document.createTextNode(child.textContent ?? ""));
    }
  }
}

export function highlightInto(code: HTMLElement, source: string, language: string): void {
  const lang = language === "py" || language === "python3" ? "python" : language;
  code.classList.add("hljs");
  if (!hljs.getLanguage(lang)) {
    code.textContent = source;
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = hljs.highlight(source, { language: lang, ignoreIllegals: true }).value;
  code.replaceChildren();
  safeSpans(template.content, code);
}

/** A code block, highlighted as `language` (Python by default). */
export function codeBlock(source: string, language = "python"): HTMLElement {
  const code = document.createElement("code");
  highlightInto(code, source, language);
  const pre = document.createElement("pre");
  pre.tabIndex = 0;
  pre.append(code);
  return pre;
}

/** Replaces every link that is not absolute http(s) by its text. */
function absoluteLinksOnly(root: DocumentFragment): void {
  for (const a of root.querySelectorAll("a")) {
    if (!/^https?:\/\//i.test(a.getAttribute("href") ?? "")) a.replaceWith(...a.childNodes);
  }
}

/** Markdown as nodes in a <div class="markdown">, code blocks highlighted. */
export function markdown(source: string, headingOffset = 2): HTMLElement {
  const template = document.createElement("template");
  template.innerHTML = renderMarkdown(source, { headingOffset, minHeading: 3 });
  absoluteLinksOnly(template.content);
  const div = document.createElement("div");
  div.className = "markdown";
  div.append(template.content);
  for (const code of div.querySelectorAll<HTMLElement>("pre > code")) {
    const language = [...code.classList].find((c) => c.startsWith("language-"))?.slice("language-".length) ?? "python";
    highlightInto(code, code.textContent ?? "", language);
    const pre = code.parentElement;
    if (pre !== null) pre.tabIndex = 0; // scrollable code must be reachable by keyboard
  }
  return div;
}

/** One line of inline Markdown (code spans, emphasis, http(s) links) as a <span>. */
export function inline(source: string): HTMLElement {
  const template = document.createElement("template");
  template.innerHTML = renderInline(source);
  absoluteLinksOnly(template.content);
  const span = document.createElement("span");
  span.className = "markdown inline";
  span.append(template.content);
  return span;
}
