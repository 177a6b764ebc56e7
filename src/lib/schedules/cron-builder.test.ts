import { describe, expect, it } from 'vitest';
import { fromCron, parseTime, toCron, validateSpec, type BuilderSpec } from './cron-builder';

describe('builder → cron', () => {
	it('writes each builder shape as the five-field expression croner reads', () => {
		expect(toCron({ kind: 'minutes', every: 15 })).toBe('*/15 * * * *');
		expect(toCron({ kind: 'minutes', every: 1 })).toBe('* * * * *');
		expect(toCron({ kind: 'hours', every: 6, minute: 30 })).toBe('30 */6 * * *');
		expect(toCron({ kind: 'hours', every: 1, minute: 5 })).toBe('5 * * * *');
		expect(toCron({ kind: 'daily', hour: 3, minute: 15 })).toBe('15 3 * * *');
		expect(toCron({ kind: 'weekly', days: [5, 1, 3], hour: 22, minute: 0 })).toBe('0 22 * * 1,3,5');
	});

	it('writes a week of every day as daily and repeats no day', () => {
		expect(toCron({ kind: 'weekly', days: [0, 1, 2, 3, 4, 5, 6], hour: 1, minute: 2 })).toBe(
			'2 1 * * *'
		);
		expect(toCron({ kind: 'weekly', days: [2, 2, 0], hour: 1, minute: 2 })).toBe('2 1 * * 0,2');
	});

	it('offers only steps that divide the hour or the day (cron restarts a step every hour)', () => {
		expect(validateSpec({ kind: 'minutes', every: 7 }).every).toMatch(/Choose one of/);
		expect(validateSpec({ kind: 'hours', every: 5, minute: 0 }).every).toMatch(/Choose one of/);
		expect(() => toCron({ kind: 'minutes', every: 7 })).toThrow(RangeError);
		expect(validateSpec({ kind: 'minutes', every: 20 })).toEqual({});
	});

	it('refuses times outside the clock and a week without days, naming the field', () => {
		expect(Object.keys(validateSpec({ kind: 'daily', hour: 24, minute: 0 }))).toEqual(['hour']);
		expect(Object.keys(validateSpec({ kind: 'daily', hour: 3, minute: 60 }))).toEqual(['minute']);
		expect(Object.keys(validateSpec({ kind: 'hours', every: 2, minute: 1.5 }))).toEqual(['minute']);
		expect(Object.keys(validateSpec({ kind: 'weekly', days: [], hour: 3, minute: 0 }))).toEqual([
			'days'
		]);
		expect(() => toCron({ kind: 'weekly', days: [], hour: 3, minute: 0 })).toThrow(
			'Choose at least one day.'
		);
	});
});

describe('cron → builder', () => {
	it('reads back every expression the builder writes', () => {
		const specs: BuilderSpec[] = [
			{ kind: 'minutes', every: 1 },
			{ kind: 'minutes', every: 30 },
			{ kind: 'hours', every: 1, minute: 0 },
			{ kind: 'hours', every: 12, minute: 45 },
			{ kind: 'daily', hour: 0, minute: 0 },
			{ kind: 'daily', hour: 23, minute: 59 },
			{ kind: 'weekly', days: [0, 6], hour: 7, minute: 30 }
		];
		for (const spec of specs) expect(fromCron(toCron(spec))).toEqual(spec);
	});

	it('reads ranges, names and 7 for Sunday in the day of the week, and extra spaces', () => {
		expect(fromCron('0 3 * * 1-5')).toEqual({
			kind: 'weekly',
			days: [1, 2, 3, 4, 5],
			hour: 3,
			minute: 0
		});
		expect(fromCron('  0  3 * * MON,wed ')).toEqual({
			kind: 'weekly',
			days: [1, 3],
			hour: 3,
			minute: 0
		});
		expect(fromCron('0 3 * * 5-7')).toEqual({
			kind: 'weekly',
			days: [0, 5, 6],
			hour: 3,
			minute: 0
		});
		expect(fromCron('0 3 * * 0-6')).toEqual({ kind: 'daily', hour: 3, minute: 0 });
	});

	it('leaves to the raw field what the builder cannot show', () => {
		for (const expression of [
			'0 0 1 * *', // day of the month
			'0 0 * 6 *', // a month
			'0 0 3 * * *', // seconds
			'*/7 * * * *', // a step that does not divide the hour
			'0 */5 * * *', // …or the day
			'0,30 * * * *', // a list of minutes
			'0 1-3 * * *', // a range of hours
			'*/5 * * * 1', // every few minutes on some days
			'0 */2 * * 1', // every few hours on some days
			'60 3 * * *',
			'0 24 * * *',
			'0 3 * * 8',
			'0 3 * * 5-2',
			'@daily',
			''
		]) {
			expect(fromCron(expression), expression).toBeNull();
		}
	});
});

describe('time field', () => {
	it('reads HH:MM and refuses anything else', () => {
		expect(parseTime('03:15')).toEqual({ hour: 3, minute: 15 });
		expect(parseTime('23:59')).toEqual({ hour: 23, minute: 59 });
		expect(parseTime('24:00')).toBeNull();
		expect(parseTime('3:15')).toBeNull();
		expect(parseTime('')).toBeNull();
	});
});
