/**
 * The form kit (shadcn-svelte's `Form` pattern on formsnap + superforms). Every form of the app is
 * built from these, with `createForm` on the client and `$lib/server/forms` in the actions:
 *
 * ```svelte
 * <Form.Field {form} name="displayName">
 *   <Form.Control>
 *     {#snippet children({ props })}
 *       <Form.Label>Display name</Form.Label>
 *       <Input {...props} bind:value={$formData.displayName} />
 *     {/snippet}
 *   </Form.Control>
 *   <Form.Description>Shown in the header.</Form.Description>
 *   <Form.FieldErrors />
 * </Form.Field>
 * ```
 */
import * as FormPrimitive from 'formsnap';
import Button from './form-button.svelte';
import Description from './form-description.svelte';
import ElementField from './form-element-field.svelte';
import FieldErrors from './form-field-errors.svelte';
import Field from './form-field.svelte';
import Fieldset from './form-fieldset.svelte';
import Label from './form-label.svelte';
import Legend from './form-legend.svelte';
import Message from './form-message.svelte';

const Control = FormPrimitive.Control;

export { createForm, toastMessage } from './create-form';
export { ActionForm } from './action-form.svelte';
export {
	Field,
	Control,
	Label,
	Button,
	FieldErrors,
	Description,
	Fieldset,
	Legend,
	ElementField,
	Message,
	//
	Field as FormField,
	Control as FormControl,
	Description as FormDescription,
	Label as FormLabel,
	FieldErrors as FormFieldErrors,
	Fieldset as FormFieldset,
	Legend as FormLegend,
	ElementField as FormElementField,
	Button as FormButton,
	Message as FormMessage
};
