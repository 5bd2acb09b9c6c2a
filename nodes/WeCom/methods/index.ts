import { approvalLoadOptions, approvalResourceMapping } from './approval';
import { orgListSearch, orgLoadOptions } from './org';

export const listSearch = { ...orgListSearch };

export const loadOptions = { ...orgLoadOptions, ...approvalLoadOptions };

export const resourceMapping = { ...approvalResourceMapping };
