import { utf8Bytes } from '../messageInput';
import type { SendAndWaitMessage } from './execute';

// Shaping the question for a channel's message: the message shows what fits, the page the links open shows all.

/** The text cut to at most `max` characters, ending in "…" when cut. */
export function cutChars(text: string, max: number): string {
	const chars = [...text];
	return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The text cut to at most `max` UTF-8 bytes, ending in "…" when cut. */
export function cutBytes(text: string, max: number): string {
	if (utf8Bytes(text) <= max) return text;
	let out = '';
	for (const char of text) {
		if (utf8Bytes(`${out}${char}…`) > max) break;
		out += char;
	}
	return `${out}…`;
}

/**
 * The longest beginning of `text` (ending in "…" when cut) with which `fits` holds, for limits on a whole message
 * body (e.g. its JSON) rather than on the text alone. The text unchanged when it fits; "…" when nothing does.
 */
export function fitText(text: string, fits: (candidate: string) => boolean): string {
	if (fits(text)) return text;
	const chars = [...text];
	let low = 0;
	let high = chars.length - 1;
	while (low < high) {
		const middle = Math.ceil((low + high) / 2);
		if (fits(`${chars.slice(0, middle).join('')}…`)) low = middle;
		else high = middle - 1;
	}
	return `${chars.slice(0, low).join('')}…`;
}

/** A markdown hard line break (two spaces, then the break): DingTalk's markdown joins lines without it. */
export const MARKDOWN_HARD_BREAK = '  \n';

/** "截止 Due 2026-05-03 18:00 (UTC+8)" when Limit Wait Time is set. */
export function deadlineLine(ask: SendAndWaitMessage): string | undefined {
	return ask.deadlineText ? `截止 Due ${ask.deadlineText}` : undefined;
}

/**
 * The question as markdown: the title as a heading, the message, the deadline, and (with `links`) one link per
 * answer. `message` is the (possibly shortened) message to show; `lineBreak` is what a line break of the message
 * becomes (some clients need a markdown hard break).
 */
export function askMarkdown(
	ask: SendAndWaitMessage,
	message: string,
	options: { links: boolean; lineBreak?: string },
): string {
	const due = deadlineLine(ask);
	const blocks = [`### ${ask.title}`, message.replace(/\n/g, options.lineBreak ?? '\n')];
	if (due) blocks.push(due);
	if (options.links)
		blocks.push(ask.links.map((link) => `[${link.label}](${link.url})`).join('  '));
	return blocks.join('\n\n');
}
