import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression } from 'n8n-workflow';

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

const mockCredentials = (stored: StoredCredential): ICredentials =>
	({
		id: stored.id,
		name: stored.name,
		type: stored.type,
		getData: () => structuredClone(stored.data),
		getDataToSave: () => ({ id: stored.id, name: stored.name, type: stored.type, data: '' }),
		setData: (data: ICredentialDataDecryptedObject) => {
			stored.data = structuredClone(data);
		},
	}) as unknown as ICredentials;

/**
 * Behaves like n8n's CredentialsHelper (packages/cli/src/credentials-helper.ts) where this package depends on it:
 * generic and function `authenticate`, and `preAuthentication` that runs when the expirable hidden property is empty,
 * when n8n was told the credentials expired, or in a credential test — and persists what it returned, so the next
 * execution reuses the token. Credentials live in memory, keyed by id, as n8n keeps them in its database.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly store = new Map<string, StoredCredential>();

	private nextId = 1;

	/** How often each credential type's preAuthentication ran. */
	readonly preAuthenticationRuns = new Map<string, number>();

	/** How often each credential was decrypted for a node (n8n: CredentialsHelper.getDecrypted), by id. */
	readonly decryptions = new Map<string, number>();

	/** Every persisted update, newest last. */
	readonly updates: Array<{ id: string; type: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(private readonly credentialTypes: Map<string, ICredentialType>) {
		super();
	}

	/** Stores a credential and returns what a node's `credentials` entry holds for it. */
	add(
		type: string,
		data: ICredentialDataDecryptedObject,
		name = `${type} account`,
	): INodeCredentialsDetails {
		this.getType(type);
		const id = String(this.nextId++);
		this.store.set(id, { id, name, type, data: structuredClone(data) });
		return { id, name };
	}

	/** The stored (persisted) data of a credential. */
	stored(id: string): ICredentialDataDecryptedObject {
		return structuredClone(this.getStored(id).data);
	}

	/** Blanks the expirable field, as if the token had never been fetched. */
	blankExpirable(id: string): void {
		const stored = this.getStored(id);
		const property = this.expirableProperty(stored.type);
		if (property) stored.data[property.name] = '';
	}

	/** Overwrites fields of a stored credential (e.g. plant a dead token). */
	patch(id: string, data: ICredentialDataDecryptedObject): void {
		const stored = this.getStored(id);
		stored.data = { ...stored.data, ...structuredClone(data) };
	}

	preAuthenticationCount(type: string): number {
		return this.preAuthenticationRuns.get(type) ?? 0;
	}

	getParentTypes(name: string): string[] {
		const type = this.getType(name);
		const parents = type.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = this.getType(typeName);
		const { authenticate } = type;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) throw new Error('generic authentication needs the workflow and node');
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
				target[outerKey] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					const resolve = (v: string) =>
						isExpression(v)
							? String(
									workflow.expression.getSimpleParameterValue(
										node,
										v,
										'internal',
										{ $credentials: credentials },
										undefined,
										'',
									) ?? '',
								)
							: v;
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		const expirable = this.expirableProperty(typeName);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) {
			return undefined;
		}
		this.preAuthenticationRuns.set(typeName, this.preAuthenticationCount(typeName) + 1);
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[typeName];
		if (!nodeCredentials) return undefined;
		const stored = this.getStored(nodeCredentials.id ?? '');
		await this.updateCredentials(nodeCredentials, typeName, {
			...stored.data,
			...(output as ICredentialDataDecryptedObject),
		});
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails): Promise<ICredentials> {
		return mockCredentials(this.getStored(nodeCredentials.id ?? ''));
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.getStored(nodeCredentials.id ?? '');
		this.decryptions.set(stored.id, (this.decryptions.get(stored.id) ?? 0) + 1);
		if (stored.type !== type) {
			throw new Error(`Credential ${stored.id} is of type ${stored.type}, not ${type}`);
		}
		const defaults: ICredentialDataDecryptedObject = {};
		for (const property of this.getCredentialsProperties(type)) {
			if (property.default !== undefined) defaults[property.name] = property.default as string;
		}
		return { ...defaults, ...structuredClone(stored.data) };
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const stored = this.getStored(nodeCredentials.id ?? '');
		stored.data = structuredClone(data);
		this.updates.push({ id: stored.id, type, data: structuredClone(data) });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('OAuth token data is not used by this package');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.getType(type).properties;
	}

	private expirableProperty(typeName: string): INodeProperties | undefined {
		return this.getType(typeName).properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
	}

	private getType(name: string): ICredentialType {
		const type = this.credentialTypes.get(name);
		if (!type) throw new Error(`Unknown credential type "${name}"`);
		return type;
	}

	private getStored(id: string): StoredCredential {
		const stored = this.store.get(id);
		if (!stored) throw new Error(`No credential with id "${id}"`);
		return stored;
	}
}
