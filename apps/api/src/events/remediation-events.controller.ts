import { Body, Controller, Get, Headers, HttpCode, HttpException, Optional, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { StreamTokenService } from '@rdpfix/auth';
import { NoBodyDto } from '../common/no-body.dto';
import type { Request, Response } from 'express';
import { parseLang, type Principal } from '@rdpfix/domain';
import { AcceptsStreamToken, CurrentPrincipal, Roles } from '../auth/auth.decorators';
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
  constructor(
    private readonly events: RemediationEventsService,
    // The API's (AuthModule); absent in harnesses that mount the events module without auth.
    @Optional() private readonly tokens?: StreamTokenService,
  ) {}

  @Post(':id/stream-token')
  @HttpCode(201)
  @Roles('support', 'console')
  @ApiOperation({
    summary: 'A short-lived token for this remediation\'s event stream, for browsers',
    description:
      'A browser EventSource cannot send an Authorization header, and an API key must never be put in a URL. This token is valid only for `GET /v1/remediations/{id}/events?token=…` of this remediation, expires after STREAM_TOKEN_TTL_S (300 s by default; a stream opened before then runs to its end), carries the rights of the key that asked for it, and stops working when that key is revoked.',
  })
  @ApiCreatedResponse({ description: 'The token and the ready-made events URL.', schema: ref('StreamToken') })
  @ApiNotFoundResponse({ description: 'No such remediation (or another tenant\'s).' })
  async streamToken(@Param('id', uuid) id: string, @Body() _body: NoBodyDto, @CurrentPrincipal() principal: Principal) {
    await this.events.assertVisible(id, scope(principal));
    if (!this.tokens) throw new Error('stream tokens need the API\'s AuthModule');
    const { token, expiresAt } = await this.tokens.issue(principal.keyId, id);
    return { token, expiresAt: expiresAt.toISOString(), remediationId: id, events: `/v1/remediations/${id}/events?token=${token}` };
  }


  @Get(':id/events')
  @Roles('support', 'console')
  @AcceptsStreamToken()
  @ApiSecurity('streamToken')
  @ApiUnauthorizedResponse({ description: 'No or invalid API key, or a stream token that is unknown, expired, for another remediation or whose key was revoked. An API key in the URL is never accepted.' })
  @ApiOperation({
    summary: 'Live progress as Server-Sent Events',
    description:
      'Every timeline event as `id: <event id>`, `event: <type>`, `data: <event JSON>`; a final `event: end` when the remediation has finished, then the stream closes (close your EventSource on `end`). Comment heartbeats every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent by a reconnecting EventSource).' })
  @ApiQuery({ name: 'token', required: false, type: String, description: 'A stream token from POST /v1/remediations/{id}/stream-token (instead of the Authorization header). Never an API key.' })
  @ApiHeader({ name: 'Accept-Language', required: false, description: '`zh-CN` for the events\' messages in Chinese (browsers send it by themselves); see `Content-Language`.' })
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
      this.events.stream(id, after, req, res, { slot, keyId: principal?.keyId, lang: parseLang(req.headers['accept-language']) });
    } catch (err) {
      slot.release();
      throw err;
    }
  }
}
