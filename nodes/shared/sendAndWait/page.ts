import { createHash } from 'crypto';

import type { AnswerProblem, FormField } from './form';
import { inputName } from './form';

/**
 * The pages a person sees after tapping a link in the message: readable on a phone, in Chinese and English, with no
 * external assets (the page's URL is a bearer credential: nothing may carry it off as a Referer). Every text that
 * comes from the workflow is escaped.
 */

/** The page's texts, Chinese first. The script shows the same texts for the answers n8n gives on its own. */
const TEXT = {
	asked: ['需要您的答复', 'Your answer is requested'],
	deadline: ['请在 {time} 前答复', 'Please answer by {time}'],
	confirm: ['请点击下方按钮确认。', 'Tap the button below to confirm.'],
	wrongButton: [
		'点错了？返回消息，点另一个按钮。',
		'Wrong choice? Go back to the message and tap the other button.',
	],
	sending: ['正在提交…', 'Sending…'],
	recorded: ['已记录您的答复', 'Your answer was recorded'],
	closeable: ['现在可以关闭此页面。', 'You can close this page now.'],
	answered: [
		'此请求已经答复过了，无需再次操作。',
		'This request has already been answered. Nothing more to do.',
	],
	expired: [
		'此请求已过期，不再接受答复。',
		'This request has expired and no longer takes answers.',
	],
	badLink: [
		'此链接无效（可能被改动过），请使用消息中的原始链接。',
		'This link is not valid (it may have been altered). Use the link from the message.',
	],
	gone: ['此请求已不存在。', 'This request no longer exists.'],
	failed: [
		'提交失败（HTTP {status}），请稍后重试。',
		'Could not send the answer (HTTP {status}). Please try again.',
	],
	network: [
		'无法连接服务器，请检查网络后重试。',
		'Could not reach the server. Check your connection and try again.',
	],
	fix: ['请修改以下内容：', 'Please correct the following:'],
	goBack: ['请返回上一页修改后重新提交。', 'Go back, correct the form and send it again.'],
	required: ['必填', 'required'],
	choose: ['请选择', 'Choose'],
} as const;

type TextKey = keyof typeof TEXT;

export function escapeHtml(value: string): string {
	return value
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

function fill(template: string, vars: Record<string, string>): string {
	return template.replace(/\{(\w+)\}/g, (match, name: string) => vars[name] ?? match);
}

/** A text in both languages (the variables are escaped). */
function both(key: TextKey, vars: Record<string, string> = {}): string {
	const [zh, en] = TEXT[key];
	return `<span class="zh">${escapeHtml(fill(zh, vars))}</span><span class="en">${escapeHtml(fill(en, vars))}</span>`;
}

const CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;padding:16px;background:#f2f3f5;color:#1f2329;font:17px/1.55 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Segoe UI",Roboto,sans-serif}
.card{max-width:34rem;margin:0 auto;background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.eyebrow{margin:0 0 8px;color:#646a73;font-size:14px}
.eyebrow .en{display:inline;margin-left:.5em}
h1{margin:0 0 12px;font-size:22px;line-height:1.35;overflow-wrap:anywhere}
.en{display:block;color:#646a73;font-size:.85em}
.message{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 16px}
.deadline{background:#fff7e8;color:#8a5a00;border-radius:8px;padding:8px 12px;font-size:15px;margin:0 0 16px}
.deadline .en{color:inherit}
.hint{color:#646a73;font-size:14px;margin:16px 0 0}
.btn{display:block;width:100%;min-height:52px;margin:12px 0 0;border:0;border-radius:10px;padding:10px 16px;font:inherit;font-size:18px;font-weight:600;cursor:pointer;-webkit-appearance:none;appearance:none}
.approve{background:#07c160;color:#fff}
.decline{background:#fff;color:#d93026;box-shadow:inset 0 0 0 2px #d93026}
.submit{background:#1677ff;color:#fff}
.btn[disabled]{opacity:.55;cursor:default}
.field{display:block;margin:18px 0 6px;font-weight:600}
input,select,textarea{display:block;width:100%;font:inherit;font-size:17px;padding:12px;border:1px solid #d0d3d6;border-radius:8px;background:#fff;color:inherit}
textarea{min-height:7em;resize:vertical}
fieldset{border:0;padding:0;margin:18px 0 0;min-width:0}
legend{font-weight:600;margin:0 0 4px;padding:0}
.choice{display:flex;align-items:center;gap:12px;min-height:48px;padding:4px 0}
.choice input{width:22px;height:22px;flex:none;margin:0}
.req{color:#d93026;margin-left:.25em}
.status{margin-top:16px;border-radius:8px;padding:12px;background:#f2f3f5}
.status:empty{display:none}
.status.error{background:#fdecea;color:#a1160a}
.status ul{margin:8px 0 0;padding-left:1.2em}
.result{text-align:center}
.result h1{font-size:20px}
.mark{font-size:48px;line-height:1.2;margin:8px 0}
.chosen{font-size:20px;font-weight:600;margin:0 0 12px;overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{background:#111214;color:#e8e9eb}.card{background:#1e1f22;box-shadow:none}.en,.eyebrow,.hint{color:#a0a4aa}input,select,textarea{background:#2a2b2f;border-color:#45474c}.status{background:#2a2b2f}.status.error{background:#4a1d1a;color:#ffb4ab}.deadline{background:#3a2e12;color:#f5c26b}.decline{background:transparent}}`;

/**
 * Submits with fetch and explains every answer, including the ones n8n gives without asking the node: its
 * "No action required" page (200) once the execution is no longer waiting, 401 for an altered link, 404 for a deleted
 * execution, 409 while the resumed execution still runs. Without JavaScript the form posts natively to the same URL.
 */
const SCRIPT = `(function () {
var T = ${JSON.stringify(TEXT)};
var main = document.getElementById('hitl');
var form = document.getElementById('hitl-form');
var status = document.getElementById('hitl-status');
if (!main || !form || !status) return;
var until = Number(main.getAttribute('data-until')) || 0;
function fill(s, vars) { return s.replace(/\\{(\\w+)\\}/g, function (m, k) { return vars && vars[k] !== undefined ? String(vars[k]) : m; }); }
function both(key, vars) {
	var box = document.createDocumentFragment();
	['zh', 'en'].forEach(function (lang, i) {
		var span = document.createElement('span');
		span.className = lang;
		span.textContent = fill(T[key][i], vars);
		box.appendChild(span);
	});
	return box;
}
function say(key, error, vars) {
	status.className = 'status' + (error ? ' error' : '');
	status.textContent = '';
	status.appendChild(both(key, vars));
}
function finish(mark, key) {
	main.className = 'card result';
	main.setAttribute('data-hitl-result', key);
	main.textContent = '';
	var m = document.createElement('div');
	m.className = 'mark';
	m.setAttribute('aria-hidden', 'true');
	m.textContent = mark;
	var h = document.createElement('h1');
	h.appendChild(both(key));
	main.appendChild(m);
	main.appendChild(h);
}
function late() { return until > 0 && Date.now() > until; }
if (late()) { finish('\\u231B', 'expired'); return; }
if (!window.fetch || !window.FormData || !window.DOMParser) return;
var buttons = form.querySelectorAll('button[type=submit]');
var clicked = null;
var busy = false;
for (var i = 0; i < buttons.length; i++) buttons[i].addEventListener('click', function () { clicked = this; });
function setBusy(value) {
	busy = value;
	for (var j = 0; j < buttons.length; j++) buttons[j].disabled = value;
}
function answer(code, text) {
	// Only the node's own pages are parsed: another page's style would trip this page's Content-Security-Policy.
	var result = text.indexOf('data-hitl-result=') < 0 ? null : new DOMParser().parseFromString(text, 'text/html').querySelector('[data-hitl-result]');
	var kind = result ? result.getAttribute('data-hitl-result') : '';
	if (kind === 'invalid') {
		setBusy(false);
		say('fix', true);
		var list = result.querySelector('.problems');
		if (list) status.appendChild(document.importNode(list, true));
		return;
	}
	if (kind) {
		main.className = result.className;
		main.setAttribute('data-hitl-result', kind);
		main.innerHTML = result.innerHTML;
		return;
	}
	if (code === 200 || code === 409) { finish(late() ? '\\u231B' : '\\u2713', late() ? 'expired' : 'answered'); return; }
	if (code === 401 || code === 403) { finish('\\u26A0', 'badLink'); return; }
	if (code === 404 || code === 410) { finish('\\u26A0', 'gone'); return; }
	setBusy(false);
	say('failed', true, { status: code });
}
form.addEventListener('submit', function (event) {
	event.preventDefault();
	if (busy) return;
	if (late()) { finish('\\u231B', 'expired'); return; }
	var body = new FormData(form);
	if (clicked && clicked.name) body.set(clicked.name, clicked.value);
	setBusy(true);
	say('sending', false);
	fetch(window.location.href, { method: 'POST', body: body, credentials: 'same-origin', cache: 'no-store' })
		.then(function (response) { return response.text().then(function (text) { answer(response.status, text); }); })
		.then(null, function () { setBusy(false); say('network', true); });
});
})();`;

function sha256(text: string): string {
	return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page may run its own script and style and talk to its own URL, nothing else. */
export const PAGE_CSP = [
	"default-src 'none'",
	`script-src ${sha256(SCRIPT)}`,
	`style-src ${sha256(CSS)}`,
	"img-src 'none'",
	"connect-src 'self'",
	"form-action 'self'",
	"base-uri 'none'",
	"frame-ancestors 'none'",
].join('; ');

/** Headers for every page: never cached, never indexed, no Referer (the URL is a credential). */
export const PAGE_HEADERS: Record<string, string> = {
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'X-Robots-Tag': 'noindex, nofollow',
	'X-Content-Type-Options': 'nosniff',
};

function layout(title: string, main: string, attributes: string, script: boolean): string {
	return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main id="hitl" ${attributes}>
${main}
</main>
${script ? `<script>${SCRIPT}</script>` : ''}
</body>
</html>
`;
}

/** n8n's own convention: a literal "\n" or "<br>" in the message is a line break (in the page and the message). */
export function messageText(message: string): string {
	return message.replace(/\\n/g, '\n').replace(/<br\s*\/?>/gi, '\n');
}

export interface AskPage {
	title: string;
	message: string;
	/** The deadline as the workflow's time zone shows it, when the wait is limited. */
	deadlineText?: string;
	/** The deadline in epoch milliseconds: the page stops taking answers after it. */
	until?: number;
}

export interface DecisionButton {
	decision: 'approve' | 'decline';
	label: string;
}

function header(page: AskPage): string {
	return [
		`<p class="eyebrow">${both('asked')}</p>`,
		`<h1>${escapeHtml(page.title)}</h1>`,
		page.message.trim()
			? `<div class="message">${escapeHtml(messageText(page.message))}</div>`
			: '',
		page.deadlineText
			? `<p class="deadline">${both('deadline', { time: page.deadlineText })}</p>`
			: '',
	]
		.filter(Boolean)
		.join('\n');
}

function askAttributes(page: AskPage): string {
	return `class="card" data-until="${page.until ?? ''}"`;
}

const STATUS = '<div id="hitl-status" class="status" role="status" aria-live="polite"></div>';

/** The confirmation page of an approval link: one button per decision the link allows. */
export function approvalPage(
	page: AskPage,
	buttons: DecisionButton[],
	hint: 'confirm' | 'wrongButton' | 'none',
): string {
	const actions = buttons
		.map(
			(button) =>
				`<button type="submit" class="btn ${button.decision}" name="decision" value="${button.decision}">${escapeHtml(button.label)}</button>`,
		)
		.join('\n');
	const body = [
		header(page),
		hint === 'none'
			? ''
			: `<p class="hint">${both(hint === 'confirm' ? 'confirm' : 'wrongButton')}</p>`,
		`<form id="hitl-form" method="post" enctype="multipart/form-data">\n${actions}\n</form>`,
		STATUS,
	];
	return layout(page.title, body.filter(Boolean).join('\n'), askAttributes(page), true);
}

function requiredMark(field: FormField): string {
	return field.required ? `<span class="req" aria-hidden="true">*</span>` : '';
}

function choiceInputs(field: FormField, name: string): string {
	const type = field.type === 'checkbox' ? 'checkbox' : 'radio';
	const defaults =
		field.type === 'checkbox'
			? field.defaultValue.split(',').map((value) => value.trim())
			: [field.defaultValue];
	return field.options
		.map((option) => {
			const checked = defaults.includes(option) ? ' checked' : '';
			const required = type === 'radio' && field.required ? ' required' : '';
			return `<label class="choice"><input type="${type}" name="${name}" value="${escapeHtml(option)}"${checked}${required}><span>${escapeHtml(option)}</span></label>`;
		})
		.join('\n');
}

function fieldHtml(field: FormField, index: number): string {
	const name = inputName(index);
	const label = `${escapeHtml(field.label)}${requiredMark(field)}`;
	const required = field.required ? ' required' : '';
	const placeholder = field.placeholder ? ` placeholder="${escapeHtml(field.placeholder)}"` : '';
	const value = escapeHtml(field.defaultValue);
	switch (field.type) {
		case 'radio':
		case 'checkbox':
			return `<fieldset><legend>${label}</legend>\n${choiceInputs(field, name)}\n</fieldset>`;
		case 'dropdown': {
			const options = field.options
				.map(
					(option) =>
						`<option value="${escapeHtml(option)}"${option === field.defaultValue ? ' selected' : ''}>${escapeHtml(option)}</option>`,
				)
				.join('');
			const empty = `<option value=""${field.defaultValue ? '' : ' selected'}>${escapeHtml(`${TEXT.choose[0]} · ${TEXT.choose[1]}`)}</option>`;
			return `<label class="field" for="${name}">${label}</label><select id="${name}" name="${name}"${required}>${empty}${options}</select>`;
		}
		case 'textarea':
			return `<label class="field" for="${name}">${label}</label><textarea id="${name}" name="${name}" rows="5"${placeholder}${required}>${value}</textarea>`;
		case 'number':
			return `<label class="field" for="${name}">${label}</label><input id="${name}" name="${name}" type="number" step="any" inputmode="decimal" value="${value}"${placeholder}${required}>`;
		default:
			return `<label class="field" for="${name}">${label}</label><input id="${name}" name="${name}" type="${field.type}" value="${value}"${placeholder}${required}${field.type === 'email' ? ' autocomplete="email"' : ''}>`;
	}
}

/** The response form (Free Text and Custom Form). */
export function formPage(page: AskPage, fields: FormField[], buttonLabel: string): string {
	const body = [
		header(page),
		`<form id="hitl-form" method="post" enctype="multipart/form-data">`,
		...fields.map((field, index) => fieldHtml(field, index)),
		`<button type="submit" class="btn submit">${escapeHtml(buttonLabel)}</button>`,
		`</form>`,
		STATUS,
	];
	return layout(page.title, body.join('\n'), askAttributes(page), true);
}

export type ResultKind = 'recorded' | 'invalid' | 'expired';

/** What a POST answers: the answer recorded, refused (with the problems), or too late. */
export function resultPage(
	kind: ResultKind,
	details: { title?: string; chosen?: string; problems?: AnswerProblem[] } = {},
): string {
	const title = details.title ?? `${TEXT[kind === 'invalid' ? 'fix' : kind][0]}`;
	let body: string;
	if (kind === 'recorded') {
		body = [
			'<div class="mark" aria-hidden="true">&#10003;</div>',
			`<h1>${both('recorded')}</h1>`,
			details.chosen ? `<p class="chosen">${escapeHtml(details.chosen)}</p>` : '',
			`<p>${both('closeable')}</p>`,
		].join('\n');
	} else if (kind === 'expired') {
		body = `<div class="mark" aria-hidden="true">&#8987;</div>\n<h1>${both('expired')}</h1>`;
	} else {
		const items = (details.problems ?? [])
			.map(
				(problem) =>
					`<li><span class="zh">${escapeHtml(problem.zh)}</span><span class="en">${escapeHtml(problem.en)}</span></li>`,
			)
			.join('\n');
		body = `<h1>${both('fix')}</h1>\n<ul class="problems">\n${items}\n</ul>\n<p class="hint">${both('goBack')}</p>`;
	}
	return layout(title, body, `class="card result" data-hitl-result="${kind}"`, false);
}
