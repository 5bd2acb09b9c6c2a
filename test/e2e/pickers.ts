// Issue 8, item 6: Message: Send's Users picker in a real n8n, called the way the editor calls it (POST
// /rest/dynamic-node-parameters/resource-locator-results for the locator inside the Users list). The organisation is
// loaded once and kept: a second page and a search reach WeCom no more.
import type { ApiEmulator } from '../emulator';
import { CREDENTIAL } from './instance';
import { StepError, type N8nRest } from './n8nHost';

type Check = (name: string, body: () => Promise<void>) => Promise<void>;

interface SearchResult {
	results: Array<{ name: string; value: string }>;
	paginationToken?: string;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

export async function pickerChecks(
	check: Check,
	rest: N8nRest,
	emulator: ApiEmulator,
): Promise<void> {
	await check(
		"Message: Send's Users picker searches and pages in n8n, loading the organisation once",
		async () => {
			const template = emulator.wecom.users.find((u) => u.userid === 'liuxiaoming')!;
			const added = Array.from({ length: 450 }, (_, i) => ({
				...structuredClone(template),
				userid: `picker${String(i).padStart(3, '0')}`,
				name: `选人${String(i).padStart(3, '0')}`,
			}));
			emulator.wecom.users.push(...added);
			try {
				const search = async (filter?: string, paginationToken?: string) =>
					await rest.post<SearchResult>('/dynamic-node-parameters/resource-locator-results', {
						path: 'parameters.toUsers.user[0].id',
						nodeTypeAndVersion: { name: 'n8n-nodes-wecom-dingtalk.weCom', version: 1 },
						methodName: 'searchUsers',
						currentNodeParameters: {
							resource: 'message',
							operation: 'send',
							toUsers: { user: [{ id: { __rl: true, mode: 'list', value: '' } }] },
						},
						credentials: { [CREDENTIAL.type]: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
						...(filter !== undefined ? { filter } : {}),
						...(paginationToken !== undefined ? { paginationToken } : {}),
					});
				const before = emulator.callsTo('/cgi-bin/user/simplelist').length;
				const first = await search();
				expect(
					first.results.length === 200 && first.paginationToken === '200',
					`the first page has ${first.results.length} entries, token ${first.paginationToken}`,
				);
				const next = await search(undefined, first.paginationToken);
				const third = await search(undefined, next.paginationToken);
				expect(
					next.results.length === 200 && third.results.length === 65 && !third.paginationToken,
					`pages of ${next.results.length} and ${third.results.length} entries for 465 members`,
				);
				const found = await search('张');
				expect(
					JSON.stringify(found.results) ===
						JSON.stringify([{ name: '张三 (zhangsan)', value: 'zhangsan' }]),
					`a search for 张 found ${JSON.stringify(found.results)}`,
				);
				const loads = emulator.callsTo('/cgi-bin/user/simplelist').length - before;
				expect(
					loads === 1,
					`four picker requests loaded the members ${loads} times, expected once`,
				);
			} finally {
				emulator.wecom.users.splice(emulator.wecom.users.length - added.length, added.length);
			}
		},
	);
}
