import { AsyncLocalStorage } from 'async_hooks';

/**
 * Who is asking the shared channel budget (issue 10 §2), most urgent first:
 * - `single`: a single fix from a ticket or the console (and anything not tagged);
 * - `read`:   the batch collector reading results (finishing work frees capacity);
 * - `send`:   the batch dispatcher's sends (campaign work);
 * - `info`:   batched DescribeInstanceInformation of campaign prechecks and reboots.
 */
export type BudgetPriority = 'single' | 'read' | 'send' | 'info';

export const BUDGET_PRIORITIES: readonly BudgetPriority[] = ['single', 'read', 'send', 'info'];

const current = new AsyncLocalStorage<BudgetPriority>();

/**
 * Runs `fn` with every channel call inside it charged to `priority`. Carried by async context, so
 * the adapters (which take the budget per API call, pages included) need no extra parameter.
 */
export function withBudgetPriority<T>(priority: BudgetPriority, fn: () => Promise<T>): Promise<T> {
  return current.run(priority, fn);
}

export function currentBudgetPriority(): BudgetPriority {
  return current.getStore() ?? 'single';
}
