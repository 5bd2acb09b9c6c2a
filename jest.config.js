/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/support/setupEnv.ts'],
	testTimeout: 30000,
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
