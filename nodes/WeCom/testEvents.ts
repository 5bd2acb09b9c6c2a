// "Listen for test event": webhook() leaves the test callback's items, trigger() of the run n8n starts for them emits
// them (why: nodes/shared/testEvents.ts). The WeCom Trigger has trigger() for "Answer After the Run"
// (nodes/shared/heldCallbacks.ts), so n8n runs its test runs through it too.
import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { handOverTestEvent, TestEventHandOver } from '../shared/testEvents';

export { testEventKey } from '../shared/testEvents';

/** One per n8n process, shared by every WeCom Trigger in it (keyed apart by workflow and node). */
export const testEvents = new TestEventHandOver();

/** trigger() in a manual run: hands the run the callback webhook() left. */
export function testEventTrigger(this: ITriggerFunctions): ITriggerResponse {
	return handOverTestEvent(this, testEvents, {
		message: 'No test event reached this WeCom Trigger in this n8n process',
		description:
			'A test run starts from the callback its Test URL received ("Listen for test event", then let WeCom or `npm run sandbox:send` post to the Test URL). This run has none here: manual executions run on queue-mode workers (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), or the run did not come from the Test URL. Pin the trigger\'s output to test the rest of the workflow, or publish it. 企业微信触发器的测试运行从测试 URL 收到的回调开始；此运行在本 n8n 进程中没有收到回调。',
	});
}
