import {
	buildRobotMessage,
	toRobotPayload,
	withMediaId,
} from '../../nodes/DingTalk/resources/robotMessage/message';
import { InputError } from '../../nodes/DingTalk/resources/shared/input';
import {
	attachMediaId,
	buildWorkNotification,
	toArgb,
} from '../../nodes/DingTalk/resources/workNotification/message';

// The message builders are pure (parameters -> body) so that other operations can reuse them; these tests hold them
// to that without a node around them.

describe('DingTalk message builders', () => {
	it.each([
		['#1e90ff', 'FF1E90FF'],
		['#1E90FF80', '801E90FF'],
		['FFBBBBBB', 'FFBBBBBB'],
		['0xFFF65E5E', 'FFF65E5E'],
		['bbbbbb', 'FFBBBBBB'],
	])('reads the colour %s as DingTalk ARGB %s', (value, argb) => {
		expect(toArgb(value, 'Head Color')).toBe(argb);
	});

	it('refuses what is not a colour with an InputError naming the field', () => {
		expect(() => toArgb('#12345', 'Status Color')).toThrow(InputError);
		expect(() => toArgb('red', 'Status Color')).toThrow(/Status Color "red" is not a colour/);
	});

	it('builds a media work notification without its media_id as pending, then attaches it', () => {
		const built = buildWorkNotification({ msgtype: 'voice', duration: 5 });
		expect(built).toEqual({
			msg: { msgtype: 'voice', voice: { duration: '5' } },
			pendingUpload: 'voice',
		});
		expect(attachMediaId(built.msg, '@m')).toEqual({
			msgtype: 'voice',
			voice: { media_id: '@m', duration: '5' },
		});
		expect(buildWorkNotification({ msgtype: 'file', mediaId: '@f' })).toEqual({
			msg: { msgtype: 'file', file: { media_id: '@f' } },
		});
	});

	it('builds a robot message as a model first, then renders msgKey and the msgParam string', () => {
		const built = buildRobotMessage({ type: 'file', fileName: '报告.PDF' });
		expect(built).toEqual({
			message: { type: 'file', mediaId: '', fileName: '报告.PDF', fileType: 'pdf' },
			pendingUpload: 'file',
		});
		expect(toRobotPayload(withMediaId(built.message, '@f'))).toEqual({
			msgKey: 'sampleFile',
			msgParam: '{"mediaId":"@f","fileName":"报告.PDF","fileType":"pdf"}',
		});
		const image = buildRobotMessage({ type: 'image' });
		expect(image.pendingUpload).toBe('image');
		expect(toRobotPayload(withMediaId(image.message, '@i'))).toEqual({
			msgKey: 'sampleImageMsg',
			msgParam: '{"photoURL":"@i"}',
		});
		expect(() => buildRobotMessage({ type: 'text', content: '  ' })).toThrow(/Content is empty/);
	});
});
