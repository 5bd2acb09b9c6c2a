import { orgListSearch } from './org';

export const listSearch = { ...orgListSearch };
