import { describe, expect, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { DateRangePicker } from '$lib/components/ui/date-range-picker';

const today = '2026-12-03';

describe('DateRangePicker', () => {
	test('names its presets, marks the one the range matches and picks another', async () => {
		const onchange = vi.fn();
		await render(DateRangePicker, {
			value: { from: '2026-11-04', to: today },
			today,
			onchange
		});
		const group = page.getByRole('group', { name: 'Date range' });
		await expect
			.element(group.getByRole('radio', { name: 'Last 30 days' }))
			.toHaveAttribute('aria-checked', 'true');
		await expect
			.element(group.getByRole('radio', { name: 'Last 7 days' }))
			.toHaveAttribute('aria-checked', 'false');
		await group.getByRole('radio', { name: 'Last 7 days' }).click();
		expect(onchange).toHaveBeenCalledWith({ from: '2026-11-27', to: today });
	});

	test('presets are reached with Tab and moved through with the arrow keys', async () => {
		const onchange = vi.fn();
		await render(DateRangePicker, { value: { from: '2026-11-27', to: today }, today, onchange });
		await userEvent.tab();
		await expect.element(page.getByRole('radio', { name: 'Last 7 days' })).toHaveFocus();
		await userEvent.keyboard('{ArrowRight}');
		await expect.element(page.getByRole('radio', { name: 'Last 30 days' })).toHaveFocus();
		await userEvent.keyboard(' ');
		expect(onchange).toHaveBeenCalledWith({ from: '2026-11-04', to: today });
	});

	test('a custom range is typed into a form opened from the keyboard', async () => {
		const onchange = vi.fn();
		await render(DateRangePicker, {
			value: { from: '2026-11-27', to: today },
			today,
			maxDays: 731,
			onchange
		});
		const trigger = page.getByRole('button', { name: /^Custom range/ });
		(trigger.element() as HTMLElement).focus();
		await userEvent.keyboard('{Enter}');
		const form = page.getByRole('form', { name: 'Custom range' });
		await expect.element(form).toBeVisible();
		await expect.element(form.getByLabelText('From')).toHaveValue('2026-11-27');

		// The first day after the last is refused with a message, and nothing changes.
		await form.getByLabelText('From').fill('2026-12-02');
		await form.getByLabelText('To').fill('2026-12-01');
		await form.getByRole('button', { name: 'Apply' }).click();
		await expect
			.element(form.getByText('The first day must not be after the last.'))
			.toHaveAttribute('role', 'alert');
		expect(onchange).not.toHaveBeenCalled();

		await form.getByLabelText('From').fill('2026-10-01');
		await form.getByLabelText('To').fill('2026-10-31');
		await form.getByRole('button', { name: 'Apply' }).click();
		expect(onchange).toHaveBeenCalledWith({ from: '2026-10-01', to: '2026-10-31' });
		await expect.element(form).not.toBeInTheDocument();
	});

	test('a range longer than the limit is refused', async () => {
		const onchange = vi.fn();
		await render(DateRangePicker, {
			value: { from: '2026-11-27', to: today },
			today,
			maxDays: 731,
			onchange
		});
		await page.getByRole('button', { name: /^Custom range/ }).click();
		const form = page.getByRole('form', { name: 'Custom range' });
		await form.getByLabelText('From').fill('2023-01-01');
		await form.getByLabelText('To').fill('2026-01-01');
		await form.getByRole('button', { name: 'Apply' }).click();
		await expect.element(form.getByText('Pick at most 731 days.')).toHaveAttribute('role', 'alert');
		expect(onchange).not.toHaveBeenCalled();
	});
});
