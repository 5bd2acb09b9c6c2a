// GET /_emulator/inbox: the messages of inbox.ts as one HTML page for a browser (a phone's too), and
// GET /_emulator/inbox.json for scripts. The page shows message contents to the local user: that is its purpose
// (the sandbox's Send and Wait links are opened from it). Everything in a message is untrusted and escaped; only
// http(s) URLs become links; the page runs one small script (auto-refresh) under a nonce and loads nothing else.
import { randomBytes } from 'node:crypto';

import {
	CHANNEL_LABELS,
	type Inbox,
	type InboxButton,
	type InboxContent,
	type InboxConversation,
	type InboxMessage,
} from './inbox';
import type { Reply } from './types';

export const INBOX_PATH = '/_emulator/inbox';
export const INBOX_JSON_PATH = '/_emulator/inbox.json';
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
const PLATFORM_LABELS = { wecom: '企业微信 WeCom', dingtalk: '钉钉 DingTalk' } as const;

export interface InboxQuery {
	platform?: 'wecom' | 'dingtalk';
	/** A conversation key (recipient, group chat or robot). */
	to?: string;
	limit: number;
}

export function parseInboxQuery(query: Record<string, string>): InboxQuery {
	const platform =
		query.platform === 'wecom' || query.platform === 'dingtalk' ? query.platform : undefined;
	const limit = /^\d{1,6}$/.test(query.limit ?? '')
		? Math.min(Number(query.limit), MAX_LIMIT)
		: DEFAULT_LIMIT;
	return { platform, to: query.to || undefined, limit };
}

export function escapeHtml(value: string): string {
	return value.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
	);
}

/** The URL, normalised, when it is http(s); undefined for anything else (javascript:, data:, app schemes). */
export function httpUrl(raw: string | undefined): string | undefined {
	if (!raw) return undefined;
	try {
		const url = new URL(raw.trim());
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
	} catch {
		return undefined;
	}
}

export type Segment =
	| { text: string }
	| { label: string; url: string }
	| { font: string }
	| { endFont: true };

const BARE_URL = /\bhttps?:\/\/[^\s<>"'\u3000-\u303f\uff00-\uffef]+/gi;
const MARKDOWN_TOKEN = new RegExp(
	[
		// [label](url), the url with at most one level of parentheses
		/\[([^[\]\n]{0,300})\]\(\s*([^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\s*\)/.source,
		// WeCom's and DingTalk's <font color="info">…</font>
		/<font\s+color\s*=\s*["']?([#\w]+)["']?\s*>/.source,
		/<\/font\s*>/.source,
		BARE_URL.source,
	].join('|'),
	'gi',
);
const TRAILING_PUNCTUATION = /[.,;:!?'")\]}]+$/;

/** Text cut into plain runs, links (markdown links and bare URLs) and, in markdown, font colours. */
export function segments(text: string, markdown = false): Segment[] {
	const pattern = new RegExp(markdown ? MARKDOWN_TOKEN.source : BARE_URL.source, 'gi');
	const out: Segment[] = [];
	let last = 0;
	const plain = (value: string) => {
		if (value) out.push({ text: value });
	};
	for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
		plain(text.slice(last, match.index));
		last = match.index + match[0].length;
		const whole = match[0];
		if (markdown && whole.startsWith('[')) {
			const url = httpUrl(match[2]);
			if (url) out.push({ label: match[1] || match[2], url });
			else plain(whole);
		} else if (markdown && /^<font/i.test(whole)) {
			out.push({ font: match[3].toLowerCase() });
		} else if (markdown && /^<\/font/i.test(whole)) {
			out.push({ endFont: true });
		} else {
			const trailing = TRAILING_PUNCTUATION.exec(whole)?.[0] ?? '';
			const candidate = whole.slice(0, whole.length - trailing.length);
			const url = httpUrl(candidate);
			if (url) out.push({ label: candidate, url });
			else plain(candidate);
			plain(trailing);
		}
	}
	plain(text.slice(last));
	return out;
}

function anchor(url: string, inner: string, className?: string): string {
	return `<a${className ? ` class="${className}"` : ''} href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${inner}</a>`;
}

const FONT_CLASSES: Record<string, string> = {
	info: 'font-info',
	comment: 'font-comment',
	warning: 'font-warning',
};

function textHtml(text: string, markdown: boolean): string {
	let open = 0;
	let html = '';
	for (const segment of segments(text, markdown)) {
		if ('text' in segment) html += escapeHtml(segment.text);
		else if ('url' in segment) html += anchor(segment.url, escapeHtml(segment.label));
		else if ('font' in segment) {
			html += `<span class="${FONT_CLASSES[segment.font] ?? 'font-other'}">`;
			open += 1;
		} else if (open > 0) {
			html += '</span>';
			open -= 1;
		}
	}
	return html + '</span>'.repeat(open);
}

/** Every http(s) link of a message: its buttons, articles, attachments and the links in its text. */
export function messageLinks(content: InboxContent): Array<{ label: string; url: string }> {
	const links: Array<{ label: string; url: string }> = [];
	const add = (label: string, raw: string | undefined) => {
		const url = httpUrl(raw);
		if (url && !links.some((l) => l.url === url && l.label === label)) links.push({ label, url });
	};
	for (const segment of segments(content.text ?? '', content.markdown)) {
		if ('url' in segment) add(segment.label, segment.url);
	}
	for (const article of content.articles ?? []) add(article.title, article.url);
	for (const file of content.attachments ?? []) add(file.name, file.url);
	for (const button of content.buttons ?? []) add(button.label, button.url);
	return links;
}

function bytes(n: number | undefined): string {
	if (n === undefined) return '';
	if (n < 1024) return ` · ${n} B`;
	if (n < 1024 * 1024) return ` · ${(n / 1024).toFixed(1)} KB`;
	return ` · ${(n / 1024 / 1024).toFixed(1)} MB`;
}

const ATTACHMENT_LABELS = {
	image: '图片 image',
	file: '文件 file',
	voice: '语音 voice',
	video: '视频 video',
} as const;

function buttonHtml(button: InboxButton): string {
	const url = httpUrl(button.url);
	if (url) return anchor(url, escapeHtml(button.label || url), 'button');
	const why = button.note ?? (button.url ? button.url : '无链接 no link');
	return `<span class="button inert">${escapeHtml(button.label)}<small>${escapeHtml(why)}</small></span>`;
}

function contentHtml(content: InboxContent): string {
	const parts: string[] = [];
	if (content.title) parts.push(`<h2>${escapeHtml(content.title)}</h2>`);
	if (content.text) {
		parts.push(
			`<div class="text${content.markdown ? ' markdown' : ''}">${textHtml(content.text, Boolean(content.markdown))}</div>`,
		);
	}
	if (content.fields?.length) {
		parts.push(
			`<dl>${content.fields
				.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd></div>`)
				.join('')}</dl>`,
		);
	}
	if (content.articles?.length) {
		parts.push(
			`<ul class="articles">${content.articles
				.map((a) => {
					const url = httpUrl(a.url);
					const title = escapeHtml(a.title || a.url || '');
					const body = a.text ? `<span>${escapeHtml(a.text)}</span>` : '';
					const unlinked = a.url && !url ? `<small>${escapeHtml(a.url)}</small>` : '';
					return `<li>${url ? anchor(url, `<b>${title}</b>`) : `<b>${title}</b>`}${body}${unlinked}</li>`;
				})
				.join('')}</ul>`,
		);
	}
	if (content.attachments?.length) {
		parts.push(
			`<ul class="files">${content.attachments
				.map((f) => {
					const label = `${ATTACHMENT_LABELS[f.kind]}: ${escapeHtml(f.name)}${bytes(f.bytes)}`;
					const url = httpUrl(f.url);
					return `<li>📎 ${url ? anchor(url, label) : label}</li>`;
				})
				.join('')}</ul>`,
		);
	}
	if (content.buttons?.length) {
		parts.push(`<div class="buttons">${content.buttons.map(buttonHtml).join('')}</div>`);
	}
	if (content.notes?.length) {
		parts.push(`<p class="notes">${content.notes.map(escapeHtml).join(' · ')}</p>`);
	}
	return parts.join('\n');
}

function timeText(ms: number, timeZone: string): string {
	try {
		const parts = new Intl.DateTimeFormat('en-CA', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hourCycle: 'h23',
		}).formatToParts(new Date(ms));
		const part = (type: Intl.DateTimeFormatPartTypes) =>
			parts.find((p) => p.type === type)?.value ?? '';
		return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
	} catch {
		return new Date(ms).toISOString();
	}
}

function recipientsText(conversations: InboxConversation[]): string {
	if (conversations.length === 0) return '（未送达 not delivered）';
	const labels = conversations.map((c) => c.label);
	return labels.length <= 4
		? labels.join('、')
		: `${labels.slice(0, 3).join('、')} 等 ${labels.length} 人 (+${labels.length - 3})`;
}

function messageHtml(message: InboxMessage, timeZone: string): string {
	const when = timeText(message.sentAt, timeZone);
	const recalled = message.recalled ? '<span class="tag recalled">已撤回 recalled</span>' : '';
	const undelivered = message.undelivered?.length
		? `<p class="notes">未送达 not delivered: ${escapeHtml(message.undelivered.join(', '))}</p>`
		: '';
	return `<article id="${message.id}" class="msg ${message.platform}${message.recalled ? ' is-recalled' : ''}" data-seq="${message.seq}">
<header><span class="tag ${message.platform}">${PLATFORM_LABELS[message.platform]}</span><span class="channel">${escapeHtml(CHANNEL_LABELS[message.channel])}</span>${recalled}</header>
<p class="to">→ ${escapeHtml(recipientsText(message.conversations))}</p>
${contentHtml(message.content)}
${undelivered}<footer><time datetime="${new Date(message.sentAt).toISOString()}">${when}</time> · <code>${escapeHtml(message.msgtype)}</code></footer>
</article>`;
}

function conversationsOf(messages: InboxMessage[]): Array<InboxConversation & { count: number }> {
	const byKey = new Map<string, InboxConversation & { count: number }>();
	for (const message of messages) {
		for (const c of message.conversations) {
			const known = byKey.get(c.key);
			if (known) known.count += 1;
			else byKey.set(c.key, { ...c, count: 1 });
		}
	}
	return [...byKey.values()];
}

function filtered(messages: InboxMessage[], query: InboxQuery): InboxMessage[] {
	return messages.filter(
		(m) =>
			(!query.platform || m.platform === query.platform) &&
			(!query.to || m.conversations.some((c) => c.key === query.to)),
	);
}

function href(query: Partial<InboxQuery>): string {
	const params = new URLSearchParams();
	if (query.platform) params.set('platform', query.platform);
	if (query.to) params.set('to', query.to);
	const search = params.toString();
	return search ? `${INBOX_PATH}?${search}` : INBOX_PATH;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f2f3f5;color:#1f2329;-webkit-text-size-adjust:100%}
.top{background:#fff;border-bottom:1px solid #dee0e3;padding:8px 12px}
.bar{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.top h1{margin:0 auto 0 0;font-size:18px}
.top p{margin:2px 0 0;font-size:12px;color:#646a73}
.refresh{display:inline-flex;align-items:center;min-height:44px;padding:0 14px;border-radius:8px;background:#1677ff;color:#fff;text-decoration:none;font-weight:600}
label.auto{display:inline-flex;align-items:center;gap:6px;min-height:44px;color:#646a73;font-size:14px}
label.auto input{width:20px;height:20px;margin:0}
#state{font-size:13px;color:#cf1322}
nav.chips{display:flex;gap:6px;overflow-x:auto;padding:8px 12px 0;-webkit-overflow-scrolling:touch}
nav.chips a{flex:none;display:inline-flex;align-items:center;min-height:36px;padding:0 12px;border-radius:18px;background:#fff;border:1px solid #dee0e3;color:#1f2329;text-decoration:none;font-size:14px;white-space:nowrap}
nav.chips a[aria-current]{background:#1f2329;border-color:#1f2329;color:#fff}
details.convs{margin:8px 12px 0;background:#fff;border-radius:10px;border:1px solid #dee0e3}
details.convs summary{padding:10px 12px;min-height:44px;cursor:pointer;font-size:14px}
details.convs ul{list-style:none;margin:0;padding:0 0 6px}
details.convs li a{display:flex;justify-content:space-between;gap:8px;padding:10px 12px;min-height:44px;color:#1f2329;text-decoration:none;border-top:1px solid #f0f1f2;font-size:14px}
details.convs li a[aria-current]{font-weight:700;background:#eef4ff}
main{max-width:760px;margin:0 auto;padding:8px 12px 40px}
.empty{background:#fff;border-radius:12px;padding:20px;color:#646a73}
.empty code{background:#f2f3f5;padding:2px 4px;border-radius:4px}
article.msg{background:#fff;border-radius:12px;padding:12px 14px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.06);overflow-wrap:anywhere;word-break:break-word}
article.msg.is-recalled{opacity:.6}
article header{display:flex;gap:6px;align-items:center;flex-wrap:wrap;font-size:13px;color:#646a73}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.tag.wecom{background:#e8f7ee;color:#0b8235}
.tag.dingtalk{background:#e8f1ff;color:#0057d9}
.tag.recalled{background:#fff1f0;color:#cf1322}
.to{margin:4px 0 6px;font-weight:600;font-size:15px}
article h2{font-size:17px;margin:6px 0}
.text{white-space:pre-wrap}
.text.markdown{background:#f7f8fa;border-radius:8px;padding:8px 10px;font-size:15px}
.font-info{color:#0b8235}.font-comment{color:#8f959e}.font-warning{color:#d46b08}
a{color:#1677ff}
dl{margin:8px 0;display:grid;gap:4px}
dl div{display:flex;gap:10px}
dt{color:#646a73;min-width:5em;flex:none}
dd{margin:0}
ul.articles,ul.files{list-style:none;margin:8px 0;padding:0}
ul.articles li{display:flex;flex-direction:column;padding:8px 10px;border:1px solid #eff0f1;border-radius:8px;margin-bottom:6px}
ul.articles li span{color:#646a73;font-size:14px}
ul.files li{padding:4px 0}
small{display:block;color:#8f959e;font-size:12px}
.buttons{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0 4px}
.button{flex:1 1 40%;display:inline-flex;flex-direction:column;justify-content:center;align-items:center;min-height:44px;padding:8px 12px;border-radius:8px;border:1px solid #1677ff;background:#1677ff;color:#fff;text-decoration:none;font-weight:600;text-align:center}
.button.inert{background:#f2f3f5;border-color:#dee0e3;color:#646a73}
.notes{color:#8f959e;font-size:13px;margin:6px 0 0}
article footer{margin-top:8px;font-size:12px;color:#8f959e}
article footer code{font-size:12px}
`;

// Reloads when the inbox changes (polling its JSON), unless the box is unticked or the tab is hidden.
const SCRIPT = `(function () {
var version = document.body.getAttribute('data-version');
var box = document.getElementById('auto');
var state = document.getElementById('state');
try { box.checked = localStorage.getItem('inbox-auto') !== 'off'; } catch (e) {}
box.addEventListener('change', function () {
	try { localStorage.setItem('inbox-auto', box.checked ? 'on' : 'off'); } catch (e) {}
});
function tick() {
	if (!box.checked || document.hidden) return;
	fetch('${INBOX_JSON_PATH}?limit=0', { cache: 'no-store' })
		.then(function (r) { return r.json(); })
		.then(function (j) {
			state.textContent = '';
			if (String(j.version) !== version) location.reload();
		})
		.then(null, function () { state.textContent = '模拟器未响应 · emulator not reachable'; });
}
setInterval(tick, 2000);
document.addEventListener('visibilitychange', tick);
})();`;

export interface InboxPageOptions {
	timeZone: string;
}

export function inboxHtml(
	all: InboxMessage[],
	version: string,
	query: InboxQuery,
	options: InboxPageOptions & { nonce: string },
): string {
	const platformMessages = query.platform ? all.filter((m) => m.platform === query.platform) : all;
	const shown = filtered(all, query);
	const conversation = conversationsOf(platformMessages).find((c) => c.key === query.to);
	const chips = [
		{ label: '全部 All', q: {}, count: all.length, current: !query.platform && !query.to },
		...(['wecom', 'dingtalk'] as const).map((platform) => ({
			label: PLATFORM_LABELS[platform],
			q: { platform },
			count: all.filter((m) => m.platform === platform).length,
			current: query.platform === platform && !query.to,
		})),
	];
	const conversations = conversationsOf(platformMessages);
	const list = shown.slice(0, query.limit);
	const empty =
		all.length === 0
			? '还没有消息。工作流发出的每条消息都会出现在这里。<br>No messages yet: every message a workflow sends shows here, e.g. after <code>npm run sandbox:send -- text "你好"</code>.'
			: '这里没有消息 · No messages here.';
	return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>收件箱 Inbox · ${all.length} · emulator</title>
<style nonce="${options.nonce}">${STYLE}</style>
</head>
<body data-version="${escapeHtml(version)}">
<div class="top">
<div class="bar"><h1>收件箱 Inbox</h1>
<label class="auto"><input type="checkbox" id="auto" checked> 自动刷新 Auto</label>
<a class="refresh" href="${escapeHtml(href(query))}">刷新 Refresh</a></div>
<p>模拟器收到的消息，最新在前 · Messages the emulator received, newest first <span id="state"></span></p>
</div>
<nav class="chips">${chips
		.map(
			(c) =>
				`<a href="${escapeHtml(href(c.q))}"${c.current ? ' aria-current="page"' : ''}>${escapeHtml(c.label)} (${c.count})</a>`,
		)
		.join('')}${
		conversation
			? `<a href="${escapeHtml(href(query))}" aria-current="page">${escapeHtml(conversation.label)} (${conversation.count})</a>`
			: ''
	}</nav>
${
	conversations.length
		? `<details class="convs"${query.to ? ' open' : ''}><summary>按会话 By conversation (${conversations.length})</summary><ul>${conversations
				.map(
					(c) =>
						`<li><a href="${escapeHtml(href({ platform: c.platform, to: c.key }))}"${c.key === query.to ? ' aria-current="page"' : ''}><span>${escapeHtml(`${c.platform === 'wecom' ? '企业微信' : '钉钉'} · ${c.label}`)}</span><span>${c.count}</span></a></li>`,
				)
				.join('')}</ul></details>`
		: ''
}
<main>
${list.length ? list.map((m) => messageHtml(m, options.timeZone)).join('\n') : `<p class="empty">${empty}</p>`}
${shown.length > list.length ? `<p class="notes">最新 ${list.length} 条，共 ${shown.length} 条 · newest ${list.length} of ${shown.length} (<a href="${escapeHtml(`${href(query)}${href(query).includes('?') ? '&' : '?'}limit=${MAX_LIMIT}`)}">more</a>)</p>` : ''}
<p class="notes">时间 Times: ${escapeHtml(options.timeZone)}</p>
</main>
<script nonce="${options.nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

export function inboxJson(
	all: InboxMessage[],
	version: string,
	query: InboxQuery,
	options: InboxPageOptions,
): unknown {
	const shown = filtered(all, query);
	return {
		version,
		timeZone: options.timeZone,
		total: shown.length,
		conversations: conversationsOf(
			query.platform ? all.filter((m) => m.platform === query.platform) : all,
		),
		messages: shown.slice(0, query.limit).map((m) => ({
			...m,
			sentAt: new Date(m.sentAt).toISOString(),
			channelLabel: CHANNEL_LABELS[m.channel],
			links: messageLinks(m.content),
		})),
	};
}

const SECURITY_HEADERS = {
	'cache-control': 'no-store',
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
};

/** The answer for the inbox's paths; undefined for any other path. */
export function inboxReply(
	inbox: Inbox,
	method: string,
	path: string,
	query: Record<string, string>,
	options: InboxPageOptions,
): Reply | undefined {
	const normalised = path.replace(/\/+$/, '');
	if (normalised !== INBOX_PATH && normalised !== INBOX_JSON_PATH) return undefined;
	if (method !== 'GET' && method !== 'HEAD') {
		return {
			status: 405,
			json: { errcode: 405, errmsg: `emulator: ${INBOX_PATH} takes GET` },
			headers: { allow: 'GET, HEAD' },
		};
	}
	const parsed = parseInboxQuery(query);
	const messages = inbox.messages();
	const version = inbox.version();
	if (normalised === INBOX_JSON_PATH) {
		return {
			json: inboxJson(messages, version, parsed, options),
			headers: SECURITY_HEADERS,
		};
	}
	const nonce = randomBytes(16).toString('base64');
	return {
		text: inboxHtml(messages, version, parsed, { ...options, nonce }),
		headers: {
			...SECURITY_HEADERS,
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy': [
				"default-src 'none'",
				`style-src 'nonce-${nonce}'`,
				`script-src 'nonce-${nonce}'`,
				"connect-src 'self'",
				"img-src 'self' data:",
				"base-uri 'none'",
				"form-action 'none'",
				"frame-ancestors 'none'",
			].join('; '),
		},
	};
}
