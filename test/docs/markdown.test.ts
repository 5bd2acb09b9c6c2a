/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Every Markdown page of the project, read by a real Markdown parser (markdown-it, CommonMark): code fences are
// closed, every relative link reaches a file and every #anchor a heading of it, and every English page under docs/
// has its Chinese page under docs/zh/ (README.md's is docs/zh/README.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

import MarkdownIt from 'markdown-it';

import { checkMarkdown, githubSlugs } from './markdownCheck';

const ROOT = join(__dirname, '..', '..');

/** The project's Markdown files: everything but dependencies, build output and dot-folders (git, sandbox state). */
function markdownFiles(dir = ''): string[] {
	const found: string[] = [];
	for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
		const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
		if (entry.isDirectory()) {
			if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && entry.name !== 'dist') {
				found.push(...markdownFiles(path));
			}
		} else if (entry.name.endsWith('.md')) {
			found.push(path);
		}
	}
	return found.sort();
}

const files = markdownFiles();
const parser = new MarkdownIt({ html: true });
const pages = new Map(
	files.map((file) => [file, checkMarkdown(parser, readFileSync(join(ROOT, file), 'utf8'))]),
);

describe('Markdown pages', () => {
	it('finds the README and the docs', () => {
		expect(files).toContain('README.md');
	});

	it.each(files)('%s: every code fence is closed, and none opens with prose', (file) => {
		const { unclosedFences, proseFences } = pages.get(file)!;
		expect({ unclosedFences, proseFences }).toEqual({ unclosedFences: [], proseFences: [] });
	});

	it.each(files)('%s: every relative link and anchor resolves', (file) => {
		const broken: string[] = [];
		for (const link of pages.get(file)!.links) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(link.href) || link.href.startsWith('//')) continue;
			const [pathPart, anchor] = link.href.split('#', 2);
			const target = pathPart === '' ? file : normalize(join(dirname(file), decodeURI(pathPart)));
			const absolute = join(ROOT, target);
			if (relative(ROOT, absolute).startsWith('..') || !existsSync(absolute)) {
				broken.push(`line ${link.line}: ${link.href} (no file ${target})`);
				continue;
			}
			if (anchor === undefined || anchor === '') continue;
			if (!target.endsWith('.md') || statSync(absolute).isDirectory()) {
				broken.push(`line ${link.line}: ${link.href} (an anchor into a file that is not Markdown)`);
				continue;
			}
			const slugs =
				pages.get(target)?.slugs ??
				checkMarkdown(parser, readFileSync(absolute, 'utf8')).slugs;
			if (!slugs.has(decodeURIComponent(anchor))) {
				broken.push(`line ${link.line}: ${link.href} (no heading #${anchor} in ${target})`);
			}
		}
		expect(broken).toEqual([]);
	});

	it('every English page has its Chinese page', () => {
		const english = files.filter(
			(f) => f === 'README.md' || (f.startsWith('docs/') && !f.startsWith('docs/zh/')),
		);
		const missing = english
			.map((f) => (f === 'README.md' ? 'docs/zh/README.md' : f.replace(/^docs\//, 'docs/zh/')))
			.filter((zh) => !files.includes(zh));
		expect(missing).toEqual([]);
	});
});

describe('the Markdown check itself', () => {
	it('finds an unclosed fence, also inside a list, and not a closed one', () => {
		const page = '# T\n\n```bash\nnpm start\n```\n\n- item\n\n  ```\n  open\n\n## Later\n';
		expect(checkMarkdown(parser, page).unclosedFences).toEqual([9]);
		expect(checkMarkdown(parser, '~~~\na\n~~~\n').unclosedFences).toEqual([]);
	});

	it('finds a closing fence with text after it (content, for CommonMark: the block runs on)', () => {
		const page = '```bash\nnpm start\n``` For a large organisation to try\nthe pickers\n```\n';
		expect(checkMarkdown(parser, page).proseFences).toEqual([3]);
		expect(checkMarkdown(parser, '```js title="x"\na\n```\n\n```bash\nb\n```\n').proseFences).toEqual([]);
	});

	it('makes GitHub-style anchors, Chinese headings and duplicates included', () => {
		const slugs = githubSlugs(
			parser,
			'# Send and Wait for Response (human in the loop)\n## 中文\n### DingTalk Trigger（钉钉触发器）\n## `npm start`: the sandbox\n## A\n## A\n',
		);
		expect([...slugs]).toEqual([
			'send-and-wait-for-response-human-in-the-loop',
			'中文',
			'dingtalk-trigger钉钉触发器',
			'npm-start-the-sandbox',
			'a',
			'a-1',
		]);
	});

	it('reports links with their lines', () => {
		const page = 'x\n\n[a](docs/a.md#b) and ![i](img.png)\n';
		expect(checkMarkdown(parser, page).links).toEqual([
			{ href: 'docs/a.md#b', line: 3 },
			{ href: 'img.png', line: 3 },
		]);
	});
});
