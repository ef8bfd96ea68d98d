/** Types of markdown.js, for the web client (web/src/render.ts) that shares this renderer. */
export function escapeHtml(text: string): string;
export function safeUrl(raw: string): string | null;
export function renderInline(text: string): string;
export function renderMarkdown(source: string, options?: { headingOffset?: number; minHeading?: number }): string;
