import { Controller, Get, Param, Query } from '@nestjs/common';
import { InventoryService } from './inventory.service';

@Controller('inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get('instances/:id')
  get(@Param('id') id: string) {
    return this.inventory.get(id);
  }

  @Get('instances')
  list(@Query('tenantId') tenantId?: string, @Query('region') region?: string) {
    return { instances: this.inventory.list({ tenantId, region }) };
  }
}
