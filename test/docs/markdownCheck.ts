// What the Markdown check reads from a page, with markdown-it's tokens (CommonMark): fences, links, heading anchors.
import type MarkdownIt from 'markdown-it';

type Token = ReturnType<MarkdownIt['parse']>[number];

export interface PageFacts {
	/** 1-based lines where a code fence opens and is never closed (CommonMark runs it to the end of its container). */
	unclosedFences: number[];
	/**
	 * 1-based lines inside a code block that start like its closing fence and go on with text (```` ``` For a large… ````):
	 * meant to close it, but a closing fence cannot carry text, so the block runs on to the next fence.
	 */
	proseFences: number[];
	links: Array<{ href: string; line: number }>;
	/** The anchors GitHub makes for the page's headings. */
	slugs: Set<string>;
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters, digits, marks, `-` and `_` kept), spaces to `-`. */
function slug(text: string): string {
	return text
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function inlineText(token: Token | undefined): string {
	return (token?.children ?? [])
		.filter((child) => child.type === 'text' || child.type === 'code_inline')
		.map((child) => child.content)
		.join('');
}

export function githubSlugs(parser: MarkdownIt, source: string): Set<string> {
	const tokens = parser.parse(source, {});
	const slugs = new Set<string>();
	const counts = new Map<string, number>();
	tokens.forEach((token, i) => {
		if (token.type !== 'heading_open') return;
		const base = slug(inlineText(tokens[i + 1]));
		const n = counts.get(base) ?? 0;
		counts.set(base, n + 1);
		slugs.add(n === 0 ? base : `${base}-${n}`);
	});
	return slugs;
}

/** A closing fence: the opening's character, at least as many, nothing else (after any container prefix). */
function closes(line: string, markup: string): boolean {
	const bare = line.replace(/^[\s>]*/, '').trimEnd();
	return bare.length >= markup.length && bare === markup[0].repeat(bare.length);
}

export function checkMarkdown(parser: MarkdownIt, source: string): PageFacts {
	const lines = source.split('\n');
	const tokens = parser.parse(source, {});
	const unclosedFences: number[] = [];
	const proseFences: number[] = [];
	const links: PageFacts['links'] = [];
	let blockLine = 0;
	for (const token of tokens) {
		if (token.map) blockLine = token.map[0] + 1;
		if (token.type === 'fence' && token.map) {
			const [start, end] = token.map;
			// A fence of one line cannot hold its own closing; otherwise the block's last line must close it.
			if (end - start < 2 || !closes(lines[end - 1] ?? '', token.markup)) {
				unclosedFences.push(start + 1);
			}
			// A line inside the block that starts like its closing fence but goes on with text was meant to close it.
			for (let line = start + 1; line < end - 1; line++) {
				const bare = (lines[line] ?? '').replace(/^[\s>]*/, '');
				const fence = /^(`{3,}|~{3,})\s*(\S.*)$/.exec(bare);
				if (fence && fence[1][0] === token.markup[0] && fence[1].length >= token.markup.length) {
					proseFences.push(line + 1);
				}
			}
		}
		for (const child of token.children ?? []) {
			const href =
				child.type === 'link_open'
					? child.attrGet('href')
					: child.type === 'image'
						? child.attrGet('src')
						: null;
			if (href !== null) links.push({ href, line: blockLine });
		}
	}
	return { unclosedFences, proseFences, links, slugs: githubSlugs(parser, source) };
}
