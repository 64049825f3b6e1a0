import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { inventoryFromConfig, inventoryQueryFromConfig } from './inventory-from-config';
import { INVENTORY, INVENTORY_QUERY, Inventory, InventoryQuery } from './inventory.port';

/**
 * The inventory port alone (the API needs it for tenant checks, not the command channel):
 * INVENTORY (http | aws | jdcloud, per region with INVENTORY_BY_REGION) for ownership and the
 * precheck; INVENTORY_QUERY for the bulk reads of campaigns (lookup by 1,000 ids, paged filter
 * listing), from the default adapter when it has them (HTTP, AWS), else the HTTP inventory.
 */
@Global()
@Module({
  providers: [
    { provide: INVENTORY, inject: [AppConfig], useFactory: (c: AppConfig) => inventoryFromConfig(c) },
    { provide: INVENTORY_QUERY, inject: [AppConfig], useFactory: (c: AppConfig) => inventoryQueryFromConfig(c) },
  ],
  exports: [INVENTORY, INVENTORY_QUERY],
})
export class ChannelInventoryModule implements OnApplicationShutdown {
  constructor(
    @Inject(INVENTORY) private readonly inventory: Inventory,
    @Inject(INVENTORY_QUERY) private readonly query: InventoryQuery,
  ) {}

  /** SDK clients keep sockets alive; drop them with the app. */
  onApplicationShutdown(): void {
    for (const a of [this.inventory, this.query]) (a as { destroy?: () => void }).destroy?.();
  }
}
