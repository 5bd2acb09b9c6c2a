// What the trigger on main takes from a run response (nodes/WeComAiBot/reply/relay.ts): only an AI bot reply. n8n
// resolves the same promise with other bodies — an empty one when a job finished, "Workflow execution failed" when it
// failed, EXECUTION_ENDED_WITHOUT_RESPONSE in one process — and a Respond to Webhook node could send anything.
import { relayedReplyOf, relayResponse } from '../../nodes/WeComAiBot/reply/relay';

describe('WeCom AI bot reply handed back to the trigger', () => {
	const reply = {
		botId: 'bot',
		reqId: 'req-1',
		msgid: 'm-1',
		status: 'finished' as const,
		content: '答案',
	};

	it('reads back what the reply node hands over', () => {
		expect(relayedReplyOf(relayResponse(reply))).toEqual(reply);
		expect(relayedReplyOf(relayResponse({ ...reply, status: 'failed', content: '出错' }))).toEqual({
			...reply,
			status: 'failed',
			content: '出错',
		});
	});

	it("ignores n8n's own resolutions and anything else", () => {
		expect(relayedReplyOf({})).toBeUndefined();
		expect(relayedReplyOf(undefined)).toBeUndefined();
		expect(
			relayedReplyOf({ body: { message: 'Workflow execution failed' }, statusCode: 500 }),
		).toBeUndefined();
		expect(relayedReplyOf({ body: 'text' })).toBeUndefined();
		expect(relayedReplyOf({ body: { wecomAiBotReply: { ...reply, status: 'other' } } })).toBeUndefined();
		expect(relayedReplyOf({ body: { wecomAiBotReply: { ...reply, reqId: '' } } })).toBeUndefined();
	});
});
