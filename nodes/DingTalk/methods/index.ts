import { approvalListSearch, approvalLoadOptions, approvalResourceMapping } from './approval';
import { orgListSearch } from './org';

export const listSearch = { ...orgListSearch, ...approvalListSearch };

export const resourceMapping = { ...approvalResourceMapping };

export const loadOptions = { ...approvalLoadOptions };
