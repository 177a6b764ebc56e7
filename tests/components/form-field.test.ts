import { describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import FormFieldHarness from './harness/FormFieldHarness.svelte';

describe('Form.Field (form kit)', () => {
	test('the label names the input and the description describes it', async () => {
		await render(FormFieldHarness);
		const username = page.getByRole('textbox', { name: 'Username' });
		await expect.element(username).toBeVisible();
		await expect.element(username).toHaveAccessibleDescription("The admin account's name.");
		await page.getByText('Username').click();
		await expect.element(username).toHaveFocus();
	});

	test('an invalid submit shows each error on its field, marks it invalid and focuses the first', async () => {
		await render(FormFieldHarness);
		await page.getByRole('button', { name: 'Log in' }).click();
		const username = page.getByRole('textbox', { name: 'Username' });
		await expect.element(username).toHaveAttribute('aria-invalid', 'true');
		await expect.element(username).toHaveAccessibleDescription(/Enter your username\./);
		await expect.element(page.getByText('Enter your password.')).toBeVisible();
		await expect.element(username).toHaveFocus();
	});

	test('typing a valid value and leaving the field clears its error', async () => {
		await render(FormFieldHarness);
		await page.getByRole('button', { name: 'Log in' }).click();
		const username = page.getByRole('textbox', { name: 'Username' });
		await expect.element(username).toHaveAttribute('aria-invalid', 'true');
		await userEvent.type(username, 'admin');
		await userEvent.tab();
		await expect.element(username).not.toHaveAttribute('aria-invalid');
		await expect.element(page.getByText('Enter your username.')).not.toBeInTheDocument();
		await expect.element(page.getByText('Enter your password.')).toBeVisible();
	});
});
