// "Listen for test event": webhook() leaves the test callback's items, trigger() of the run n8n starts for them emits
// them (why: nodes/shared/testEvents.ts). The WeCom Trigger has trigger() for "Answer After the Run"
// (nodes/shared/heldCallbacks.ts), so n8n runs its test runs through it too.
import { testEventChannel } from '../shared/testEvents';

export { testEventKey } from '../shared/testEvents';

const channel = testEventChannel({
	trigger: 'WeCom Trigger',
	what: 'event',
	howToSend:
		'A test run starts from the callback its Test URL received ("Listen for test event", then let WeCom or `npm run sandbox:send` post to the Test URL)',
	zh: '企业微信触发器的测试运行从测试 URL 收到的回调开始；此运行在本 n8n 进程中没有收到回调。',
});

/** One per n8n process, shared by every WeCom Trigger in it. */
export const testEvents = channel.events;
export const testEventTrigger = channel.trigger;
