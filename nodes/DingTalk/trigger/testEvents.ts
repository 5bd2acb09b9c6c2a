// "Listen for test event" in HTTP mode: webhook() leaves the test event's items, trigger() of the run n8n starts for
// them emits them (why: nodes/shared/testEvents.ts).
import { testEventChannel } from '../../shared/testEvents';

export { TestEventHandOver, testEventKey } from '../../shared/testEvents';

const channel = testEventChannel({
	trigger: 'DingTalk Trigger',
	what: 'event',
	howToSend:
		'In HTTP mode a test run starts from the event its Test URL received ("Listen for test event", then let DingTalk or `npm run sandbox:send` post to the Test URL)',
	zh: '在 HTTP 模式下，测试运行从测试 URL 收到的事件开始；此运行在本 n8n 进程中没有收到事件。',
});

/** One per n8n process, shared by every DingTalk Trigger in it. */
export const testEvents = channel.events;
export const testEventTrigger = channel.trigger;
