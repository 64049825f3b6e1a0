import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ref } from '../openapi/schema-helpers';
import { Public } from '../auth/auth.decorators';
import { DataSource } from 'typeorm';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness: the database answers (no key needed)' })
  @ApiOkResponse({ description: 'Up.', schema: ref('Health') })
  async health() {
    await this.ds.query('SELECT 1');
    return { status: 'ok' };
  }
}
