/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// README facts that must follow the code: what a user copies from it has to work against the emulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { seedTemplates } from '../emulator/wecom/seed';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const [english, chinese] = readme.split(/^## 中文$/m);

describe('README', () => {
	it('has an English and a Chinese half', () => {
		expect(chinese).toBeDefined();
	});

	it.each(seedTemplates().map((t) => [t.template_names[0].text, t.template_id]))(
		'lists the emulator approval template %s (%s) in both halves',
		(_name, id) => {
			expect(english).toContain(`\`${id}\``);
			expect(chinese).toContain(`\`${id}\``);
		},
	);

	it('documents sandbox:send --url <test URL> in both halves', () => {
		expect(english).toContain('npm run sandbox:send -- text "你好" --url <test URL>');
		expect(chinese).toContain('npm run sandbox:send -- text "你好" --url <test URL>');
	});
});
