import { Controller, Get, Headers, HttpException, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CampaignQueries } from '@rdpfix/campaigns';
import type { Principal } from '@rdpfix/domain';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { uuidParam as uuid } from '../common/uuid-param.pipe';
import { parseLastEventId } from '../events/last-event-id';
import { RemediationEventsService } from '../events/remediation-events.service';
import { CampaignEventStream } from './campaign-event-stream';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { scopeOf } from './campaign-scope';
import { ref } from '../openapi/schema-helpers';

@ApiTags('campaigns')
@ApiBearerAuth()
@UseFilters(CampaignExceptionFilter)
@Controller('v1/campaigns')
export class CampaignEventsController {
  constructor(
    private readonly queries: CampaignQueries,
    private readonly stream: CampaignEventStream,
    // Shares the per-key limit of open event streams with the remediation streams.
    private readonly slots: RemediationEventsService,
  ) {}

  @Get(':id/events')
  @Roles('fleet', 'support')
  @ApiOperation({ summary: 'Live campaign progress as Server-Sent Events (state-change events with ids, `progress` snapshots, then `end`)' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent by a reconnecting EventSource).' })
  @ApiQuery({ name: 'lastEventId', required: false, type: String, description: 'Same as Last-Event-ID, for clients that cannot set headers; the header wins.' })
  @ApiOkResponse({ description: 'The event stream; each message is one of SseCampaignEvent.', content: { 'text/event-stream': { schema: ref('SseCampaignEvent') } } })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async events(
    @Param('id', uuid) id: string,
    @Headers('last-event-id') lastHeader: string | undefined,
    @Query('lastEventId') lastQuery: unknown,
    @CurrentPrincipal() p: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const after = parseLastEventId(lastHeader, lastQuery);
    const scope = scopeOf(p);
    await this.queries.find(id, scope);
    const slot = this.slots.reserve(p.keyId);
    if (!slot) {
      throw new HttpException({ statusCode: 429, error: 'too_many_streams', message: `this API key already holds ${this.slots.maxStreamsPerKey} open event streams; close one first` }, 429);
    }
    try {
      this.stream.stream(id, scope, after, req, res, { keyId: p.keyId, onClose: () => slot.release() });
    } catch (err) {
      slot.release();
      throw err;
    }
  }
}
