// WeCom callback elements that repeat. A field is a list because the platform may send it any number of
// times, so it reads as an array even when one occurrence arrived: workflows can then always write
// `SpRecord[0]` instead of guessing whether they got an object or an array (a flat reader that keeps the
// last occurrence loses approvers and lets a nested SpStatus overwrite the approval's own).
//
// Not here on purpose: Department, IsLeaderInDept (change_contact) and AddUserItems, DelUserItems,
// AddPartyItems, DelPartyItems (update_tag) arrive as one comma-separated string, not as repeated elements;
// Approver, Applyer and CommentUserInfo occur once in their parent.
export const WECOM_XML_LIST_FIELDS: ReadonlySet<string> = new Set([
	// sys_approval_change: one SpRecord per approval node of the flow, in flow order.
	'SpRecord',
	// sys_approval_change: one Details per approver of a node (or-sign and and-sign nodes have several).
	'Details',
	// sys_approval_change: media ids attached to an approver's Details or to a Comments entry, zero or more.
	'Attach',
	// sys_approval_change: one Notifyer per person copied on the approval (抄送人).
	'Notifyer',
	// sys_approval_change: one Comments per comment added to the approval.
	'Comments',
	// pic_sysphoto / pic_photo_or_album / pic_weixin: SendPicsInfo.PicList holds one item per picture sent.
	'item',
	// change_contact create_user / update_user: ExtAttr holds one Item per custom profile attribute.
	'Item',
	// template_card_event: SelectedItems holds one SelectedItem per question the user answered.
	'SelectedItem',
	// template_card_event: OptionIds holds one OptionId per option chosen (multi-select questions give several).
	'OptionId',
]);
