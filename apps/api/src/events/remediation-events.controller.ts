import { Controller, Get, Headers, HttpException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiTooManyRequestsResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Principal } from '@rdpfix/domain';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { uuidParam as uuid } from '../common/uuid-param.pipe';
import { parseLastEventId } from './last-event-id';
import { ref } from '../openapi/schema-helpers';
import { RemediationEventsService } from './remediation-events.service';

/** Console keys see only their tenant's remediations (as in RemediationsController). */
const scope = (p: Principal | undefined) => (p?.role === 'console' ? (p.tenantId ?? '') : undefined);

/**
 * A raw express response rather than @Sse(): the 404/400 must be JSON before the stream starts,
 * and the stream must close itself after `end` (an Observable-based @Sse gives neither cleanly).
 */
@ApiTags('remediations')
@ApiBearerAuth()
@Controller('v1/remediations')
export class RemediationEventsController {
  constructor(private readonly events: RemediationEventsService) {}

  @Get(':id/events')
  @Roles('support', 'console')
  @ApiOperation({
    summary: 'Live progress as Server-Sent Events',
    description:
      'Every timeline event as `id: <event id>`, `event: <type>`, `data: <event JSON>`; a final `event: end` when the remediation has finished, then the stream closes (close your EventSource on `end`). Comment heartbeats every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent by a reconnecting EventSource).' })
  @ApiQuery({ name: 'lastEventId', required: false, type: String, description: 'Same as Last-Event-ID, for clients that cannot set headers; the header wins.' })
  @ApiOkResponse({ description: 'The event stream; each message is one of SseRemediationEvent.', content: { 'text/event-stream': { schema: ref('SseRemediationEvent') } } })
  @ApiBadRequestResponse({ description: 'Malformed id or lastEventId.' })
  @ApiNotFoundResponse({ description: 'No such remediation (or another tenant\'s).' })
  @ApiTooManyRequestsResponse({ description: 'The key already holds the maximum number of open streams (20): `too_many_streams`.' })
  async stream(
    @Param('id', uuid) id: string,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Query('lastEventId') lastEventIdQuery: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const after = parseLastEventId(lastEventIdHeader, lastEventIdQuery);
    await this.events.assertVisible(id, scope(principal));
    const slot = this.events.reserve(principal?.keyId ?? 'anonymous');
    if (!slot) {
      throw new HttpException(
        { statusCode: 429, error: 'too_many_streams', message: `this API key already holds ${this.events.maxStreamsPerKey} open event streams; close one first` },
        429,
      );
    }
    try {
      this.events.stream(id, after, req, res, { slot, keyId: principal?.keyId });
    } catch (err) {
      slot.release();
      throw err;
    }
  }
}
