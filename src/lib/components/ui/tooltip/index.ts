import { Tooltip as TooltipPrimitive } from 'bits-ui';
import Content from './tooltip-content.svelte';

// Every Tooltip.Root needs a Tooltip.Provider above it; the root layout renders one for the whole app.
const Provider = TooltipPrimitive.Provider;
const Root = TooltipPrimitive.Root;
const Trigger = TooltipPrimitive.Trigger;
const Portal = TooltipPrimitive.Portal;

export {
	Provider,
	Root,
	Trigger,
	Portal,
	Content,
	Provider as TooltipProvider,
	Root as Tooltip,
	Trigger as TooltipTrigger,
	Portal as TooltipPortal,
	Content as TooltipContent
};
