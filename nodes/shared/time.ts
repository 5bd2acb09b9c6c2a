export const DAY_SECONDS = 86400;

const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** Milliseconds the zone is ahead of UTC at this instant. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
	const parts: Record<string, number> = {};
	for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value);
	}
	const asUtc = Date.UTC(
		parts.year,
		parts.month - 1,
		parts.day,
		parts.hour,
		parts.minute,
		parts.second,
	);
	return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in a zone as an instant; the second pass settles times next to a DST change. */
function zonedWallClockToUtc(wallAsUtcMs: number, timeZone: string): number {
	const first = wallAsUtcMs - zoneOffsetMs(wallAsUtcMs, timeZone);
	return wallAsUtcMs - zoneOffsetMs(first, timeZone);
}

function isValidZone(timeZone: string): boolean {
	try {
		formatterFor(timeZone);
		return true;
	} catch {
		return false;
	}
}

export interface ParsedTime {
	seconds: number;
	/** The input named a day without a time of day. */
	dateOnly: boolean;
}

function fromMillis(ms: number): ParsedTime | undefined {
	return Number.isFinite(ms) ? { seconds: Math.floor(ms / 1000), dateOnly: false } : undefined;
}

/** 10-digit values are unix seconds; 13-digit ones are milliseconds (what JavaScript dates give). */
function fromEpoch(value: number): ParsedTime | undefined {
	if (!Number.isInteger(value) || value < 0) return undefined;
	return { seconds: value >= 1e11 ? Math.floor(value / 1000) : value, dateOnly: false };
}

/**
 * Reads a point in time: unix seconds or milliseconds, an ISO date (`2024-03-01`), an ISO date-time with or without
 * an offset, a JavaScript Date or a Luxon DateTime (what `{{ $now }}` gives). Times without an offset are read in
 * `timeZone`, the workflow's time zone, as n8n does everywhere else. With `endOfDay`, a date alone means its last
 * second, so that an end date includes that day. Undefined when the value is none of these.
 */
export function parseTime(
	value: unknown,
	timeZone: string,
	options: { endOfDay?: boolean } = {},
): ParsedTime | undefined {
	if (typeof value === 'number') return fromEpoch(value);
	if (value instanceof Date) return fromMillis(value.getTime());
	if (typeof value === 'object' && value !== null) {
		const toMillis = (value as { toMillis?: unknown }).toMillis;
		if (typeof toMillis === 'function') return fromMillis(Number(toMillis.call(value)));
		return undefined;
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (/^\d{9,13}$/.test(text)) return fromEpoch(Number(text));
	const match = ISO.exec(text);
	if (!match) return undefined;
	const [, y, mo, d, h, mi, s, offset] = match;
	const wall = Date.UTC(
		Number(y),
		Number(mo) - 1,
		Number(d),
		Number(h ?? 0),
		Number(mi ?? 0),
		Number(s ?? 0),
	);
	const check = new Date(wall);
	// Date.UTC rolls 2024-02-30 over into March; a date that does not round-trip does not exist.
	if (
		check.getUTCFullYear() !== Number(y) ||
		check.getUTCMonth() !== Number(mo) - 1 ||
		check.getUTCDate() !== Number(d) ||
		Number(h ?? 0) > 23 ||
		Number(mi ?? 0) > 59 ||
		Number(s ?? 0) > 59
	) {
		return undefined;
	}
	const dateOnly = h === undefined;
	const wholeDay = dateOnly && options.endOfDay === true;
	const instant = wholeDay ? wall + DAY_SECONDS * 1000 : wall;
	const utc = offset
		? instant - offsetMs(offset)
		: zonedWallClockToUtc(instant, isValidZone(timeZone) ? timeZone : 'UTC');
	return { seconds: Math.floor(utc / 1000) - (wholeDay ? 1 : 0), dateOnly };
}

function offsetMs(offset: string): number {
	if (offset.toUpperCase() === 'Z') return 0;
	const sign = offset.startsWith('-') ? -1 : 1;
	const digits = offset.slice(1).replace(':', '');
	const hours = Number(digits.slice(0, 2));
	const minutes = Number(digits.slice(2) || 0);
	return sign * (hours * 60 + minutes) * 60 * 1000;
}

export interface WallClock {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
}

/** What a clock on the wall in `timeZone` shows at this instant (unix seconds). */
export function wallClockAt(seconds: number, timeZone: string): WallClock {
	const parts: Record<string, number> = {};
	const zone = isValidZone(timeZone) ? timeZone : 'UTC';
	for (const part of formatterFor(zone).formatToParts(new Date(seconds * 1000))) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value);
	}
	return {
		year: parts.year,
		month: parts.month,
		day: parts.day,
		hour: parts.hour,
		minute: parts.minute,
		second: parts.second,
	};
}

/** Date-pattern tokens formatWallClock knows (Java/Luxon style, as platforms describe their date fields). */
export const WALL_CLOCK_PATTERN = /^(?:yyyy|MM|dd|HH|mm|ss|[^A-Za-z])+$/;

/**
 * An instant written in `timeZone` by a pattern of yyyy, MM, dd, HH, mm and ss (e.g. `yyyy-MM-dd HH:mm`).
 * Patterns with other letters are not supported: check them with WALL_CLOCK_PATTERN first.
 */
export function formatWallClock(seconds: number, timeZone: string, pattern: string): string {
	const clock = wallClockAt(seconds, timeZone);
	const two = (n: number) => String(n).padStart(2, '0');
	const tokens: Record<string, string> = {
		yyyy: String(clock.year).padStart(4, '0'),
		MM: two(clock.month),
		dd: two(clock.day),
		HH: two(clock.hour),
		mm: two(clock.minute),
		ss: two(clock.second),
	};
	return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => tokens[token]);
}
