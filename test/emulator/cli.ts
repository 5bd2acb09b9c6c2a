/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// `npm run emulator [-- --port N] [--org-size N] [--dingtalk-members N]`: the emulator on its own, for trying nodes in
// a local n8n. --org-size adds N members (in 110 departments) to the WeCom corp, e.g. 10000 to try the pickers at that
// size; --dingtalk-members (or EMULATOR_DINGTALK_MEMBERS) adds a large DingTalk organisation (seedLargeOrg).
import { seedLargeOrg as seedLargeDingTalkOrg } from './dingtalk/largeOrg';
import { ApiEmulator, STREAM_CONTROL_PREFIX } from './server';

const STREAM_PING_INTERVAL_MS = 30_000;
import { DINGTALK_SEED } from './dingtalk/seed';
import { seedLargeOrg } from './wecom/largeOrg';
import { WECOM_SEED } from './wecom/seed';

function portFrom(argv: string[], env: NodeJS.ProcessEnv): number {
	const flag = argv.indexOf('--port');
	const raw = flag !== -1 ? argv[flag + 1] : env.EMULATOR_PORT;
	if (raw === undefined || raw === '') {
		return 0;
	}
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`invalid port: ${raw}`);
	}
	return port;
}

function orgSizeFrom(argv: string[]): number | undefined {
	const flag = argv.indexOf('--org-size');
	if (flag === -1) return undefined;
	const size = Number(argv[flag + 1]);
	if (!Number.isInteger(size) || size < 1 || size > 100000) {
		throw new Error(`invalid --org-size: ${argv[flag + 1]} (1 to 100000 members)`);
	}
	return size;
}

function membersFrom(argv: string[], env: NodeJS.ProcessEnv): number {
	const flag = argv.indexOf('--dingtalk-members');
	const raw = flag !== -1 ? argv[flag + 1] : env.EMULATOR_DINGTALK_MEMBERS;
	if (raw === undefined || raw === '') return 0;
	const members = Number(raw);
	if (!Number.isInteger(members) || members < 0 || members > 200_000) {
		throw new Error(`invalid --dingtalk-members: ${raw}`);
	}
	return members;
}

async function main(): Promise<void> {
	const argv = process.argv.slice(2);
	const orgSize = orgSizeFrom(argv);
	const members = membersFrom(argv, process.env);
	const emulator = await ApiEmulator.start({
		port: portFrom(argv, process.env),
		// A quiet Stream connection still hears from the server, as from DingTalk's.
		stream: { pingIntervalMs: STREAM_PING_INTERVAL_MS },
	});
	const org = orgSize ? seedLargeOrg(emulator.wecom, { members: orgSize }) : undefined;
	if (members > 0) seedLargeDingTalkOrg(emulator.dingtalk, members);
	const control = `${emulator.baseUrl}${STREAM_CONTROL_PREFIX}`;
	const lines = [
		'WeCom / DingTalk API emulator (a local test double; these are emulator values, not real credentials)',
		`Base URL: ${emulator.baseUrl}`,
		`Inbox:    ${emulator.inboxUrl}  (every message received, newest first; JSON: ${emulator.inboxUrl}.json)`,
		'',
		"WeCom app (set the credential's API base URL to the Base URL):",
		`  CorpID:         ${WECOM_SEED.corpId}`,
		`  AgentId:        ${WECOM_SEED.agentId}`,
		`  Secret:         ${WECOM_SEED.secret}`,
		`  Token:          ${WECOM_SEED.callbackToken}`,
		`  EncodingAESKey: ${WECOM_SEED.encodingAesKey}`,
		...(org
			? [`  Org:            +${org.members} members in ${org.departments} more departments`]
			: []),
		'',
		'DingTalk app (both API hosts = the Base URL):',
		`  Client ID:      ${DINGTALK_SEED.appKey}`,
		`  Client Secret:  ${DINGTALK_SEED.appSecret}`,
		`  AgentId:        ${DINGTALK_SEED.agentId}`,
		`  CorpId:         ${DINGTALK_SEED.corpId}`,
		`  Token:          ${DINGTALK_SEED.callbackToken}`,
		`  aes_key:        ${DINGTALK_SEED.aesKey}`,
		...(members > 0
			? [`  Organisation:   ${members} extra members in 20 divisions x 10 teams`]
			: []),
		'',
		'DingTalk Stream mode (the API host above serves /v1.0/gateway/connections/open; tickets last 90 s):',
		`  push an event:      curl -X POST ${control}events -d '{"eventType":"user_add_org","data":{"UserId":["manager4220"]}}'`,
		`  robot message:      curl -X POST ${control}robot-messages -d '{"text":"你好"}'`,
		`  connections:        curl ${control}connections   (POST disconnect | drop | zombify | ping)`,
		'',
		'Ctrl+C stops it.',
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	const shutdown = () => {
		emulator.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
	process.stderr.write(`emulator: ${error.message}\n`);
	process.exit(1);
});
