import { Select as SelectPrimitive } from 'bits-ui';
import Content from './select-content.svelte';
import GroupHeading from './select-group-heading.svelte';
import Item from './select-item.svelte';
import ScrollDownButton from './select-scroll-down-button.svelte';
import ScrollUpButton from './select-scroll-up-button.svelte';
import Separator from './select-separator.svelte';
import Trigger from './select-trigger.svelte';

const Root = SelectPrimitive.Root;
const Group = SelectPrimitive.Group;
const Portal = SelectPrimitive.Portal;

export {
	Root,
	Group,
	Portal,
	Content,
	GroupHeading,
	Item,
	ScrollDownButton,
	ScrollUpButton,
	Separator,
	Trigger,
	Root as Select,
	Group as SelectGroup,
	Portal as SelectPortal,
	Content as SelectContent,
	GroupHeading as SelectGroupHeading,
	Item as SelectItem,
	ScrollDownButton as SelectScrollDownButton,
	ScrollUpButton as SelectScrollUpButton,
	Separator as SelectSeparator,
	Trigger as SelectTrigger
};
