import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { HttpInventory } from './http-inventory';
import { INVENTORY, INVENTORY_QUERY } from './inventory.port';

/** The inventory port alone (the API needs it for tenant checks, not the command channel). */
@Global()
@Module({
  providers: [
    { provide: INVENTORY, inject: [AppConfig], useFactory: (c: AppConfig) => new HttpInventory(c.INVENTORY_URL) },
    // Bulk reads for campaigns (lookup by 1,000 ids, paged filter listing): the HTTP inventory
    // (the simulator's). Its own instance, so that wiring another adapter as INVENTORY (e.g.
    // JdcloudInventory, which has no bulk reads yet) cannot break campaigns.
    { provide: INVENTORY_QUERY, inject: [AppConfig], useFactory: (c: AppConfig) => new HttpInventory(c.INVENTORY_URL) },
  ],
  exports: [INVENTORY, INVENTORY_QUERY],
})
export class ChannelInventoryModule {}
