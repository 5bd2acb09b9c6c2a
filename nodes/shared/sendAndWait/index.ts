export type { SendAndWaitLink, SendAndWaitMessage } from './execute';
export { sendAndWait } from './execute';
export { groupAnswerNotice, sendAndWaitProperties } from './properties';
export { SEND_AND_WAIT_TOOLTIP, SEND_AND_WAIT_WEBHOOKS, sendAndWaitWebhook } from './webhook';
export {
	askMarkdown,
	cutBytes,
	cutChars,
	deadlineLine,
	fitText,
	MARKDOWN_HARD_BREAK,
} from './text';
