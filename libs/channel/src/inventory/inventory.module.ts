import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { HttpInventory } from './http-inventory';
import { INVENTORY, INVENTORY_QUERY } from './inventory.port';

/** The inventory port alone (the API needs it for tenant checks, not the command channel). */
@Global()
@Module({
  providers: [
    { provide: INVENTORY, inject: [AppConfig], useFactory: (c: AppConfig) => new HttpInventory(c.INVENTORY_URL) },
    // Bulk reads (campaigns) come from the same adapter.
    { provide: INVENTORY_QUERY, useExisting: INVENTORY },
  ],
  exports: [INVENTORY, INVENTORY_QUERY],
})
export class ChannelInventoryModule {}
