// A small Markdown renderer for the subset studytrack's content uses: headings,
// paragraphs, fenced code, nested bullet and numbered lists, tables, block quotes,
// rules, and inline code, bold, italics and links.
//
// Safety comes from the structure, not from a sanitiser run afterwards: every piece of
// source text reaches the output only through `escapeHtml`, the renderer itself writes
// the only tags, and a link keeps its address only when it is http(s), mailto or
// relative. Raw HTML in the source is shown as text. So the result can go into
// `innerHTML` even when the content is hostile.

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text) {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * The address to put in `href`, or null when it is not one we let a reader follow.
 * Browsers ignore tabs and newlines inside a scheme (`java\tscript:`), and the part
 * before the first `:` decides, so anything with a colon must name an allowed scheme.
 */
export function safeUrl(raw) {
  const url = raw.trim();
  const squeezed = url.replace(/[\u0000-\u0020\u007f]/g, "");
  const colon = squeezed.indexOf(":");
  const firstSlashOrMark = squeezed.search(/[/?#]/);
  const hasScheme = colon !== -1 && (firstSlashOrMark === -1 || colon < firstSlashOrMark);
  if (hasScheme && !/^(https?|mailto):/i.test(squeezed)) {
    return null;
  }
  if (/[\u0000-\u001f\u007f\s]/.test(url)) {
    return null;
  }
  return url;
}

// ---------------------------------------------------------------- inline

/** The index just past a code span opening at `start`, or -1 if it never closes. */
function codeSpanEnd(text, start) {
  let run = 0;
  while (text[start + run] === "`") run += 1;
  let i = start + run;
  while (i < text.length) {
    const next = text.indexOf("`".repeat(run), i);
    if (next === -1) return -1;
    let length = 0;
    while (text[next + length] === "`") length += 1;
    if (length === run) return next + run;
    i = next + length;
  }
  return -1;
}

function renderCodeSpan(text, start, end) {
  let run = 0;
  while (text[start + run] === "`") run += 1;
  let body = text.slice(start + run, end - run).replace(/\n/g, " ");
  if (body.length > 2 && body.startsWith(" ") && body.endsWith(" ") && body.trim() !== "") {
    body = body.slice(1, -1);
  }
  return `<code>${escapeHtml(body)}</code>`;
}

const isWordChar = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Where `delim` closes an emphasis opened before `from`, skipping code and escapes. */
function findClosing(text, delim, from) {
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") {
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = codeSpanEnd(text, i);
      if (end !== -1) {
        i = end;
        continue;
      }
    }
    if (text.startsWith(delim, i) && i > from && !/\s/.test(text[i - 1])) {
      const after = text[i + delim.length];
      // `**` must not close a `*`; `_` must not be inside a word (snake_case).
      const longer = after === delim[0] && delim.length === 1;
      const wordy = delim[0] === "_" && isWordChar(after);
      if (!longer && !wordy) return i;
    }
    i += 1;
  }
  return -1;
}

/** The index of the `close` that balances the `open` at `start`, or -1. */
function findBalanced(text, start, open, close) {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "\\") {
      i += 1;
    } else if (ch === "`") {
      const end = codeSpanEnd(text, i);
      if (end !== -1) i = end - 1;
    } else if (ch === open) {
      depth += 1;
    } else if (ch === close) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function renderLink(label, target) {
  const match = /^\s*(\S+?)(?:\s+"([^"]*)")?\s*$/.exec(target);
  const url = match ? safeUrl(match[1]) : null;
  if (url === null) {
    return renderInline(label);
  }
  const title = match[2] === undefined ? "" : ` title="${escapeHtml(match[2])}"`;
  const external = /^(https?:)?\/\//i.test(url) ? ' rel="noopener noreferrer" target="_blank"' : "";
  return `<a href="${escapeHtml(url)}"${title}${external}>${renderInline(label)}</a>`;
}

/** Inline Markdown to HTML. */
export function renderInline(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const rest = text.slice(i);

    if (ch === "\\" && text[i + 1] === "\n") {
      out += "<br>";
      i += 2;
      continue;
    }
    if (ch === "\\" && PUNCTUATION.test(text[i + 1] ?? "")) {
      out += escapeHtml(text[i + 1]);
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = codeSpanEnd(text, i);
      if (end !== -1) {
        out += renderCodeSpan(text, i, end);
        i = end;
        continue;
      }
      let run = 0;
      while (text[i + run] === "`") run += 1;
      out += escapeHtml(text.slice(i, i + run));
      i += run;
      continue;
    }
    if (ch === "*" || ch === "_") {
      const delim = text[i + 1] === ch ? ch + ch : ch;
      const opens = !/\s/.test(text[i + delim.length] ?? " ") && !(ch === "_" && isWordChar(text[i - 1]));
      if (opens) {
        const close = findClosing(text, delim, i + delim.length);
        if (close !== -1) {
          const tag = delim.length === 2 ? "strong" : "em";
          out += `<${tag}>${renderInline(text.slice(i + delim.length, close))}</${tag}>`;
          i = close + delim.length;
          continue;
        }
      }
      out += escapeHtml(delim);
      i += delim.length;
      continue;
    }
    if (ch === "[") {
      const close = findBalanced(text, i, "[", "]");
      if (close !== -1 && text[close + 1] === "(") {
        const end = findBalanced(text, close + 1, "(", ")");
        if (end !== -1) {
          out += renderLink(text.slice(i + 1, close), text.slice(close + 2, end));
          i = end + 1;
          continue;
        }
      }
    }
    if (ch === "<") {
      const auto = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(rest);
      if (auto) {
        out += renderLink(escapeMarkdown(auto[1]), auto[1]);
        i += auto[0].length;
        continue;
      }
    }
    if (ch === " " && rest.startsWith("  \n")) {
      out += "<br>";
      i += 2;
      continue;
    }
    out += escapeHtml(ch);
    i += 1;
  }
  return out;
}

/** Backslash-escapes Markdown punctuation so text renders literally. */
function escapeMarkdown(text) {
  return text.replace(/[\\`*_[\]()<>]/g, "\\$&");
}

// ---------------------------------------------------------------- blocks

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])( +|$)/;
const QUOTE = /^ {0,3}> ?/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

const indentOf = (line) => line.length - line.trimStart().length;
const isBlank = (line) => line.trim() === "";

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  const cells = [];
  let cell = "";
  for (let i = 0; i < row.length; i += 1) {
    if (row[i] === "\\" && row[i + 1] === "|") {
      cell += "|";
      i += 1;
    } else if (row[i] === "|") {
      cells.push(cell.trim());
      cell = "";
    } else {
      cell += row[i];
    }
  }
  cells.push(cell.trim());
  return cells;
}

function renderTable(header, divider, rows) {
  const aligns = splitRow(divider).map((spec) => {
    const left = spec.startsWith(":");
    const right = spec.endsWith(":");
    return left && right ? "center" : right ? "right" : left ? "left" : "";
  });
  const cell = (tag, text, column) => {
    // A class, not a style attribute: the pages' CSP allows no inline styles.
    const align = aligns[column] ? ` class="align-${aligns[column]}"` : "";
    return `<${tag}${align}>${renderInline(text)}</${tag}>`;
  };
  const head = splitRow(header).map((text, column) => cell("th", text, column)).join("");
  const body = rows
    .map((row) => {
      const cells = splitRow(row);
      return `<tr>${aligns.map((_, column) => cell("td", cells[column] ?? "", column)).join("")}</tr>`;
    })
    .join("");
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * Collects one list starting at `lines[start]` and renders it; returns the HTML and the
 * index of the first line after the list.
 */
function renderList(lines, start, options) {
  const first = LIST_ITEM.exec(lines[start]);
  const ordered = /\d/.test(first[2]);
  const baseIndent = first[1].length;
  const items = [];
  let i = start;
  while (i < lines.length) {
    const marker = LIST_ITEM.exec(lines[i]);
    if (!marker || marker[1].length !== baseIndent || /\d/.test(marker[2]) !== ordered) break;
    const contentIndent = marker[0].length === lines[i].length ? baseIndent + marker[2].length + 1 : marker[0].length;
    const body = [lines[i].slice(marker[0].length)];
    let loose = false;
    i += 1;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        let next = i + 1;
        while (next < lines.length && isBlank(lines[next])) next += 1;
        if (next < lines.length && indentOf(lines[next]) >= contentIndent) {
          loose = true;
          body.push(...lines.slice(i, next).map(() => ""));
          i = next;
          continue;
        }
        break;
      }
      if (indentOf(line) >= contentIndent) {
        body.push(line.slice(contentIndent));
      } else if (!startsBlock(line) && !isBlank(body[body.length - 1])) {
        body.push(line.trimStart()); // a lazy continuation of the item's paragraph
      } else {
        break;
      }
      i += 1;
    }
    items.push({ body, loose, number: parseInt(marker[2], 10) });
    // A blank line between items makes the list loose, but does not end it.
    let next = i;
    while (next < lines.length && isBlank(lines[next])) next += 1;
    const following = next < lines.length ? LIST_ITEM.exec(lines[next]) : null;
    if (next !== i && following && following[1].length === baseIndent && /\d/.test(following[2]) === ordered) {
      items[items.length - 1].loose = true;
      i = next;
    }
  }
  const tight = !items.some((item) => item.loose);
  const html = items.map((item) => `<li>${renderBlocks(item.body, { ...options, tight })}</li>`).join("");
  const startAttr = ordered && items[0].number !== 1 ? ` start="${items[0].number}"` : "";
  return { html: ordered ? `<ol${startAttr}>${html}</ol>` : `<ul>${html}</ul>`, next: i };
}

function renderBlocks(lines, options) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const [, indent, marker, language] = fence;
      const closing = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
      const code = [];
      i += 1;
      while (i < lines.length && !closing.test(lines[i])) {
        code.push(lines[i].slice(Math.min(indent.length, indentOf(lines[i]))));
        i += 1;
      }
      i += 1; // the closing fence (or the end of the text)
      const cls = language ? ` class="language-${escapeHtml(language)}"` : "";
      out.push(`<pre><code${cls}>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, Math.max(options.minHeading, heading[1].length + options.headingOffset));
      out.push(`<h${level}>${renderInline(heading[2] ?? "")}</h${level}>`);
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      out.push("<hr>");
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted = [];
      while (i < lines.length && !isBlank(lines[i]) && (QUOTE.test(lines[i]) || quoted.length > 0)) {
        quoted.push(lines[i].replace(QUOTE, ""));
        i += 1;
      }
      out.push(`<blockquote>${renderBlocks(quoted, { ...options, tight: false })}</blockquote>`);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const list = renderList(lines, i, options);
      out.push(list.html);
      i = list.next;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_DIVIDER.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [];
      let next = i + 2;
      while (next < lines.length && !isBlank(lines[next]) && lines[next].includes("|")) {
        rows.push(lines[next]);
        next += 1;
      }
      out.push(renderTable(line, lines[i + 1], rows));
      i = next;
      continue;
    }
    const paragraph = [];
    while (i < lines.length && !isBlank(lines[i]) && (paragraph.length === 0 || !startsBlock(lines[i]))) {
      paragraph.push(lines[i].trimStart());
      i += 1;
    }
    const text = renderInline(paragraph.join("\n").replace(/[ \t]+$/, ""));
    out.push(options.tight ? text : `<p>${text}</p>`);
  }
  return out.join(options.tight ? "\n" : "");
}

/**
 * Markdown to HTML that is safe to assign to `innerHTML`. Headings move down by
 * `headingOffset` levels and never above `minHeading`, so the text's own headings sit
 * below the page's (`<h3>Answer</h3>` then the answer's `###` as `<h4>`).
 */
export function renderMarkdown(source, { headingOffset = 0, minHeading = 1 } = {}) {
  const lines = String(source).replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n");
  return renderBlocks(lines, { headingOffset, minHeading, tight: false });
}
