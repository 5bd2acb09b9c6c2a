import { approvalLoadOptions } from './approval';
import { orgListSearch, orgLoadOptions } from './org';

export const listSearch = { ...orgListSearch };

export const loadOptions = { ...orgLoadOptions, ...approvalLoadOptions };
