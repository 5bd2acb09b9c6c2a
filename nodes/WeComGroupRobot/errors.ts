import type { Hint } from '../shared/wecom/errors';

/** errcode: the robot sent too fast (20 messages a minute per robot). */
export const ROBOT_THROTTLED = 45009;

/** What the robot webhook's errcodes mean for someone who has only the webhook (no app). */
export const ROBOT_HINTS: Record<number, Hint> = {
	93000: {
		en: 'WeCom does not know this webhook key: the robot was removed from the group or the key is mistyped. Copy the Webhook地址 again (group chat → 群机器人 → the robot) into the credential.',
		zh: 'Webhook key 无效：机器人已被移出群聊，或 key 复制有误。请在群聊 → 群机器人 → 该机器人 中重新复制 Webhook 地址到凭证。',
	},
	[ROBOT_THROTTLED]: {
		en: "The robot is over WeCom's limit of 20 messages a minute. n8n paces its own messages to that limit, so another sender (a second workflow on another n8n process, a script) is using the same robot: give it its own robot, or spread the messages out.",
		zh: '机器人超过每分钟 20 条的频率限制。n8n 已按此限制控制自身的发送节奏，说明还有其他发送方（其他 n8n 进程中的工作流、脚本等）在使用同一个机器人：请为其单独添加机器人，或分散发送。',
	},
	40007: {
		en: 'Unknown media_id: a robot file or voice media_id is valid for 3 days and only with the key that uploaded it. Send the file from binary data instead, or upload it again with this robot.',
		zh: 'media_id 无效：群机器人上传的文件/语音 media_id 仅 3 天内有效，且只能由上传它的同一个机器人 key 使用。请改用二进制文件发送，或用本机器人重新上传。',
	},
	40008: {
		en: 'WeCom does not accept this message type from a group robot.',
		zh: '群机器人不支持该消息类型。',
	},
	45002: {
		en: 'The message is too long: text takes at most 2,048 bytes, markdown and markdown_v2 4,096 bytes (UTF-8: a Chinese character takes 3 bytes).',
		zh: '消息内容超长：文本最多 2048 字节，markdown / markdown_v2 最多 4096 字节（UTF-8 编码，一个汉字占 3 字节）。',
	},
};
