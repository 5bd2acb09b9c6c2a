// DingTalk node → Callback → Get Failed Events: every page of /call_back/get_call_back_failed_result, one item per
// failed push, shaped like the DingTalk Trigger's items, so they can be replayed into a workflow.
import { callbackRegistration, DINGTALK_SEED, queueFailedCallbacks } from '../emulator/dingtalk';
import { startDingTalk, storedToken, type DingTalkTestEnv } from './setup';

describe('DingTalk: Callback → Get Failed Events', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => env.emulator.reset());

	const run = async () => await env.run({ resource: 'callback', operation: 'getFailedEvents' });

	it('fetches every page while has_more, one normalised item per event, each handed out once', async () => {
		const state = env.emulator.dingtalk;
		callbackRegistration(state).pageSize = 2;
		const time = Date.UTC(2026, 10, 29, 12, 0, 0);
		queueFailedCallbacks(state, [
			{
				event_time: time,
				call_back_tag: 'user_add_org',
				user_add_org: { CorpId: DINGTALK_SEED.corpId, UserId: ['dev001', 'dev002'] },
			},
			{
				event_time: time + 1,
				call_back_tag: 'org_dept_create',
				org_dept_create: { CorpId: DINGTALK_SEED.corpId, DeptId: [100] },
			},
			{
				event_time: time + 2,
				call_back_tag: 'bpms_instance_change',
				bpms_instance_change: {
					processInstanceId: 'pi-1',
					processCode: 'PROC-EMU-EXPENSE',
					type: 'finish',
					result: 'agree',
					staffId: 'dev001',
				},
			},
			// Flat data beside the tag.
			{ event_time: time + 3, call_back_tag: 'check_in', StaffId: 'dev003' },
			{ event_time: time + 4, call_back_tag: 'chat_disband', ChatId: 'chat-1' },
		]);
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(env.emulator.callsTo('/call_back/get_call_back_failed_result')).toHaveLength(3);
		const items = result.items.map((i) => i.json);
		expect(items.map((i) => [i.eventType, i.category])).toEqual([
			['user_add_org', 'contact'],
			['org_dept_create', 'department'],
			['bpms_instance_change', 'approval'],
			['check_in', 'checkIn'],
			['chat_disband', 'chat'],
		]);
		expect(items[0]).toMatchObject({
			userIds: ['dev001', 'dev002'],
			corpId: DINGTALK_SEED.corpId,
			eventTime: new Date(time).toISOString(),
			replayed: true,
		});
		expect(items[1]).toMatchObject({ deptIds: ['100'] });
		expect(items[2]).toMatchObject({
			approval: { processInstanceId: 'pi-1', result: 'agree', originatorUserId: 'dev001' },
		});
		expect(items[3]).toMatchObject({ StaffId: 'dev003' });
		expect(result.items.every((i) => i.pairedItem !== undefined)).toBe(true);
		for (const item of items) {
			const text = JSON.stringify(item);
			expect(text).not.toContain(storedToken(env));
			expect(text).not.toContain(DINGTALK_SEED.appSecret);
		}

		// DingTalk hands each failed event out once: the next run finds none.
		const again = await run();
		expect(again.error).toBeUndefined();
		expect(again.items).toHaveLength(0);
	});

	it('a refusal names the fix (60011)', async () => {
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 60011,
			path: '/call_back/get_call_back_failed_result',
		});
		const result = await run();
		expect(String(result.error?.message)).toMatch(/权限管理|permission/);
	});
});
