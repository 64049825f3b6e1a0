import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { InventoryService } from './inventory.service';

@Controller('inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Post('instances/lookup')
  @HttpCode(200)
  lookup(@Body() body: { instanceIds?: unknown }) {
    return this.inventory.lookup(body?.instanceIds);
  }

  @Get('instances/:id')
  get(@Param('id') id: string) {
    return this.inventory.get(id);
  }

  /** `?tenantId=&region=&tag:<key>=<value>…`; with `maxResults` it pages (`nextToken`). */
  @Get('instances')
  list(@Query() q: Record<string, unknown>) {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(q)) if (k.startsWith('tag:') && typeof v === 'string') tags[k.slice(4)] = v;
    const maxResults = str(q.maxResults);
    return this.inventory.list(
      { tenantId: str(q.tenantId), region: str(q.region), tags: Object.keys(tags).length ? tags : undefined },
      maxResults === undefined ? undefined : { maxResults: Number(maxResults) || 1000, nextToken: str(q.nextToken) },
    );
  }
}
