// The WeCom AI Bot Trigger's webhooks exist in callback mode only: their method is empty in long-connection mode, so
// n8n registers nothing then (an empty method registers no webhook). As in the DingTalk Trigger
// (nodes/DingTalk/trigger/options.ts, which says why), the method is an expression for the editor and for n8n versions
// without resolvers, plus a native resolver that n8n 2.41 uses instead of evaluating it on every request.
import type { INodeParameters, INodeTypeDescription, IWebhookDescription } from 'n8n-workflow';
import { WEBHOOK_RESOLVERS } from 'n8n-workflow';

const IS_CALLBACK = '$parameter["connectionMode"] === "callback"';

type MethodField = Pick<IWebhookDescription, 'httpMethod' | typeof WEBHOOK_RESOLVERS>;

/** `method` in callback mode, none otherwise (the default, long connection, included). */
export function callbackMethodOf(parameters: INodeParameters, method: string): string {
	return parameters.connectionMode === 'callback' ? method : '';
}

function methodField(method: 'GET' | 'POST'): MethodField {
	const expression = `={{ ${IS_CALLBACK} ? "${method}" : "" }}`;
	return {
		httpMethod: expression,
		// A symbol in n8n-workflow 2.41 and later; older versions have no resolvers (and no such export).
		...(typeof WEBHOOK_RESOLVERS === 'symbol'
			? {
					[WEBHOOK_RESOLVERS]: {
						httpMethod: {
							template: expression,
							resolve: (parameters: INodeParameters) => callbackMethodOf(parameters, method),
						},
					},
				}
			: {}),
	};
}

export const CALLBACK_GET_FIELD = methodField('GET');

export const CALLBACK_POST_FIELD = methodField('POST');

export const HIDE_URL_EXPRESSION = `={{ !(${IS_CALLBACK}) }}`;

export const TRIGGER_PANEL: INodeTypeDescription['triggerPanel'] = {
	header: '',
	executionsHelp: {
		inactive:
			"<b>Long connection</b>: click 'Listen for test event' and write to the bot; the reply reaches WeCom through this test's connection. WeCom keeps one connection per bot: while a published workflow of this n8n holds it, the test cannot connect.<br /><br /><b>Callback URL</b>: WeCom posts to the one URL saved in the bot's URL 回调 settings, so this button only hears WeCom while that URL is this node's <b>Test URL</b>. n8n closes the Test URL once a message started the test run, so WeCom cannot fetch that run's answer: the chat shows the thinking text and a note, the answer shows here. Put the Production URL back before you publish.<br /><br />长连接：直接测试。URL 回调：把测试 URL 填入机器人的 URL 回调设置后测试；测试运行的回答只显示在编辑器中。",
		active:
			'<b>This workflow is published</b>: messages start it and show in the <a data-key="executions">executions list</a>. 已发布：消息会启动工作流，可在执行列表中查看。',
	},
	activationHint:
		"When it works, publish the workflow: in callback mode with the Production URL saved in the bot's URL 回调 settings.",
};
