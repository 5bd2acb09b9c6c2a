/* eslint-disable @n8n/community-nodes/node-usable-as-tool -- test code: a test-only channel node, never inside n8n */
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, WAIT_INDEFINITELY } from 'n8n-workflow';

import type { NodeResource } from '../../nodes/shared/operations';
import { buildProperties, route } from '../../nodes/shared/operations';
import type { SendAndWaitMessage } from '../../nodes/shared/sendAndWait';
import { sendAndWait, sendAndWaitProperties } from '../../nodes/shared/sendAndWait';
import { escapeHtml } from '../../nodes/shared/sendAndWait/page';
import { askMarkdown, cutBytes, cutChars, fitText } from '../../nodes/shared/sendAndWait/text';
import { deadlineText, waitTill } from '../../nodes/shared/sendAndWait/settings';
import { Harness } from '../harness';

/** What the last probe run handed its channel. */
let sent: SendAndWaitMessage | undefined;

/**
 * A channel that only records the message it was given (or fails, mentioning every link the way a platform error
 * echoing the request could): Send and Wait's shared part through the real engine, without a platform.
 */
const probeResource: NodeResource = {
	value: 'message',
	name: 'Message',
	description: 'Probe',
	operations: [
		{
			value: 'sendAndWait',
			name: 'Send and Wait for Response',
			action: 'Send and wait',
			description: 'Probe',
			properties: [
				{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false },
				...sendAndWaitProperties(),
			],
			async executeOnce(this: IExecuteFunctions) {
				return await sendAndWait.call(this, async (ask) => {
					sent = ask;
					if (this.getNodeParameter('fail', 0) === true) {
						const urls = [ask.mainUrl, ...ask.links.map((l) => l.url)].join(' ');
						throw new NodeApiError(
							this.getNode(),
							{ errcode: 40058, errmsg: `bad url ${urls}` } as JsonObject,
							{
								message: `The platform refused ${urls}`,
								description: `It said: ${urls}`,
							},
						);
					}
				});
			},
		},
	],
};

class SendAndWaitProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send and Wait Probe',
		name: 'sendAndWaitProbe',
		group: ['output'],
		version: 1,
		description: 'Test-only channel',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: buildProperties([probeResource]),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, [probeResource]);
	}
}

const harness = new Harness({ nodeTypes: [new SendAndWaitProbe()], credentialTypes: [] });

const run = (parameters: INodeParameters, continueOnFail = false) =>
	harness.runNode({
		name: 'Probe',
		type: harness.type('sendAndWaitProbe'),
		parameters: {
			resource: 'message',
			operation: 'sendAndWait',
			title: 'T',
			message: 'M',
			...parameters,
		},
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	});

function signaturesOf(ask: SendAndWaitMessage): string[] {
	return [ask.mainUrl, ...ask.links.map((l) => l.url)].map(
		(url) => new URL(url).searchParams.get('signature')!,
	);
}

beforeEach(() => {
	sent = undefined;
});

describe('Send and Wait (shared): what a channel is given', () => {
	it('Approve and Decline: both links in order, and a main link offering both (no label)', async () => {
		const result = await run({
			approvalOptions: {
				values: { approvalType: 'double', approveLabel: 'Yes', disapproveLabel: 'No' },
			},
		});

		expect(result.run.status).toBe('waiting');
		expect(sent!.links.map((l) => [l.kind, l.label])).toEqual([
			['approve', 'Yes'],
			['decline', 'No'],
		]);
		expect(sent!.mainLabel).toBe('');
		expect(new URL(sent!.mainUrl).searchParams.has('approved')).toBe(false);
		expect(sent!.deadlineText).toBeUndefined();
	});

	it('Approve Only and the forms: the one link is also the main link, with its label', async () => {
		await run({});
		expect(sent!.links).toHaveLength(1);
		expect(sent!.mainUrl).toBe(sent!.links[0].url);
		expect(sent!.mainLabel).toBe('Approve');

		await run({ responseType: 'freeText' });
		expect(sent!.links.map((l) => [l.kind, l.label])).toEqual([['respond', 'Respond']]);
		expect(new URL(sent!.mainUrl).searchParams.get('approved')).toBe('true');
	});

	it('Limit Wait Time puts the deadline into every link (signed with it) and into the text', async () => {
		const result = await run({
			approvalOptions: { values: { approvalType: 'double' } },
			options: {
				limitWaitTime: {
					values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2099-05-03T10:00:00Z' },
				},
			},
		});

		expect(result.run.waitTill).toEqual(new Date('2099-05-03T10:00:00Z'));
		for (const url of [sent!.mainUrl, ...sent!.links.map((l) => l.url)]) {
			expect(new URL(url).searchParams.get('until')).toBe(
				String(Date.parse('2099-05-03T10:00:00Z')),
			);
		}
		// The harness's workflows keep n8n's default time zone (America/New_York).
		expect(sent!.deadlineText).toBe('2099-05-03 06:00 (UTC-4)');
	});
});

describe('Send and Wait (shared): the links never leave the message', () => {
	it('a failed send names no link in the error (message, description, API answer, stack)', async () => {
		const result = await run({
			fail: true,
			approvalOptions: { values: { approvalType: 'double' } },
		});

		expect(result.run.status).not.toBe('waiting');
		const error = result.error as NodeApiError;
		expect(error.message).toContain('The platform refused');
		expect(error.message).toContain('***');
		const everything = JSON.stringify({
			message: error.message,
			description: error.description,
			stack: error.stack,
			response: error.errorResponse,
			run: result.run,
		});
		for (const signature of signaturesOf(sent!)) {
			expect(signature).toMatch(/^[0-9a-f]{64}$/);
			expect(everything).not.toContain(signature);
		}
	});

	it('On Error: Continue outputs the error without the links', async () => {
		const result = await run({ fail: true }, true);

		expect(result.run.status).not.toBe('waiting');
		expect(result.items).toHaveLength(1);
		const text = JSON.stringify(result.items);
		expect(text).toContain('The platform refused');
		for (const signature of signaturesOf(sent!)) expect(text).not.toContain(signature);
	});
});

describe('Send and Wait (shared): pieces', () => {
	it('waitTill follows n8n: minutes, hours, days from now; none → WAIT_INDEFINITELY', () => {
		const now = Date.parse('2026-05-03T00:00:00Z');
		const limit = (values: object) => (name: string, fallback: unknown) =>
			name === 'options.limitWaitTime.values' ? values : fallback;
		expect(waitTill(limit({}), now)).toBe(WAIT_INDEFINITELY);
		expect(
			waitTill(
				limit({ limitType: 'afterTimeInterval', resumeAmount: 0.5, resumeUnit: 'minutes' }),
				now,
			),
		).toEqual(new Date(now + 30_000));
		expect(
			waitTill(
				limit({ limitType: 'afterTimeInterval', resumeAmount: 3, resumeUnit: 'hours' }),
				now,
			),
		).toEqual(new Date(now + 3 * 3600_000));
		expect(
			waitTill(limit({ limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'days' }), now),
		).toEqual(new Date(now + 2 * 86_400_000));
		expect(() =>
			waitTill(limit({ limitType: 'afterTimeInterval', resumeAmount: -1 }), now),
		).toThrow(/not a positive time/);
	});

	it('deadlineText shows the workflow time zone with its offset', () => {
		const at = new Date('2026-05-03T10:00:00Z');
		expect(deadlineText(at, 'Asia/Shanghai')).toBe('2026-05-03 18:00 (UTC+8)');
		expect(deadlineText(at, 'Asia/Kolkata')).toBe('2026-05-03 15:30 (UTC+5:30)');
		expect(deadlineText(at, 'UTC')).toBe('2026-05-03 10:00 (UTC)');
		expect(deadlineText(at, 'Not/AZone')).toBe('2026-05-03 10:00 (UTC)');
	});

	it('cutChars and cutBytes shorten by characters and by UTF-8 bytes, never splitting a character', () => {
		expect(cutChars('报销审批', 4)).toBe('报销审批');
		expect(cutChars('报销审批单', 4)).toBe('报销审…');
		expect(cutChars('a😀b😀c', 3)).toBe('a😀…');
		expect(cutBytes('报销审批', 12)).toBe('报销审批');
		// 3 bytes a character, 3 for the ellipsis: 11 bytes hold two characters and "…".
		expect(cutBytes('报销审批', 11)).toBe('报销…');
		expect(cutBytes('a😀b', 6)).toBe('a😀b');
		expect(cutBytes('a😀b', 5)).toBe('a…');
	});

	it('fitText keeps the longest beginning that fits a whole-message limit ("…" when nothing does)', () => {
		const within = (max: number) => (candidate: string) =>
			JSON.stringify({ m: candidate }).length <= max;
		expect(fitText('short', within(100))).toBe('short');
		const long = '一二三四五六七八九十'.repeat(10);
		const fitted = fitText(long, within(40));
		expect(JSON.stringify({ m: fitted }).length).toBeLessThanOrEqual(40);
		expect(JSON.stringify({ m: `${[...fitted].slice(0, -1).join('')}十…` }).length).toBeGreaterThan(
			40,
		);
		expect(long.startsWith(fitted.slice(0, -1))).toBe(true);
		expect(fitted.endsWith('…')).toBe(true);
		expect(fitText(long, () => false)).toBe('…');
		expect(fitText('a😀😀😀', (c) => c.length <= 3)).toBe('a…');
	});

	it('askMarkdown: heading, message (line breaks as given), deadline, links', () => {
		const ask = {
			title: '报销审批',
			message: '第一行\n第二行',
			responseType: 'approval',
			links: [
				{ kind: 'approve', label: '同意', url: 'https://n8n.example/a' },
				{ kind: 'decline', label: '拒绝', url: 'https://n8n.example/d' },
			],
			mainUrl: 'https://n8n.example/m',
			mainLabel: '',
			deadlineText: '2026-05-03 18:00 (UTC+8)',
		} as SendAndWaitMessage;
		expect(askMarkdown(ask, '第一行\n第二行', { links: true })).toBe(
			'### 报销审批\n\n第一行\n第二行\n\n截止 Due 2026-05-03 18:00 (UTC+8)\n\n[同意](https://n8n.example/a)  [拒绝](https://n8n.example/d)',
		);
		expect(
			askMarkdown({ ...ask, deadlineText: undefined }, '第一行\n第二行', {
				links: false,
				lineBreak: '  \n',
			}),
		).toBe('### 报销审批\n\n第一行  \n第二行');
	});

	it('escapeHtml escapes the five characters that matter in text and attributes', () => {
		expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
			'&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
		);
	});
});
