/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Facts of the sandbox pages that must follow the code: what a user copies from them has to work against the emulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { seedTemplates } from '../emulator/wecom/seed';

const docs = join(__dirname, '..', '..', 'docs');
const english = readFileSync(join(docs, 'sandbox.md'), 'utf8');
const chinese = readFileSync(join(docs, 'zh', 'sandbox.md'), 'utf8');

describe('the sandbox pages (docs/sandbox.md, docs/zh/sandbox.md)', () => {
	it.each(seedTemplates().map((t) => [t.template_names[0].text, t.template_id]))(
		'lists the emulator approval template %s (%s) in English and Chinese',
		(_name, id) => {
			expect(english).toContain(`\`${id}\``);
			expect(chinese).toContain(`\`${id}\``);
		},
	);

	it('documents sandbox:send --url <test URL> in English and Chinese', () => {
		expect(english).toContain('npm run sandbox:send -- text "你好" --url <test URL>');
		expect(chinese).toContain('npm run sandbox:send -- text "你好" --url <test URL>');
	});
});
