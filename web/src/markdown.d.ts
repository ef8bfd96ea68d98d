/** Types of markdown.js (the demo's renderer, unit-tested in examples/browser). */
export function escapeHtml(text: string): string;
export function safeUrl(raw: string): string | null;
export function renderInline(text: string): string;
export function renderMarkdown(source: string, options?: { headingOffset?: number; minHeading?: number }): string;
