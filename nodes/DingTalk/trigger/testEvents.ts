// "Listen for test event" in HTTP mode: webhook() leaves the test event's items, trigger() of the run n8n starts for
// them emits them (why: nodes/shared/testEvents.ts).
import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { handOverTestEvent, TestEventHandOver } from '../../shared/testEvents';

export { TestEventHandOver, testEventKey } from '../../shared/testEvents';

/** One per n8n process, shared by every DingTalk Trigger in it (keyed apart by workflow and node). */
export const testEvents = new TestEventHandOver();

/** trigger() of HTTP mode in a manual run: hands the run the event webhook() left. */
export function testEventTrigger(this: ITriggerFunctions): ITriggerResponse {
	return handOverTestEvent(this, testEvents, {
		message: 'No test event reached this DingTalk Trigger in this n8n process',
		description:
			'In HTTP mode a test run starts from the event its Test URL received ("Listen for test event", then let DingTalk or `npm run sandbox:send` post to the Test URL). This run has none here: manual executions run on queue-mode workers (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), or the run did not come from the Test URL. Pin the trigger\'s output to test the rest of the workflow, or publish it. 在 HTTP 模式下，测试运行从测试 URL 收到的事件开始；此运行在本 n8n 进程中没有收到事件。',
	});
}
