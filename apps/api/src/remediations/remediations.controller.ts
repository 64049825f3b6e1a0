import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { requestHash } from '@rdpfix/auth';
import { parseLang, Principal, timelineMessage } from '@rdpfix/domain';
import { RemediationService, remediationDetailView, remediationSummaryView, remediationTexts } from '@rdpfix/remediation';
import { WebhookDeliveryService } from '@rdpfix/webhooks';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { EXAMPLES } from '../common/openapi-examples';
import { CreateRemediationDto } from './dto/create-remediation.dto';
import { ListRemediationsQuery } from './dto/list-remediations.query';
import { uuidParam as uuid } from '../common/uuid-param.pipe';
import { NoBodyDto } from '../common/no-body.dto';
import { ref } from '../openapi/schema-helpers';
import { ChannelIdValidator } from '../common/channel-ids';
import { setLanguageHeaders } from '../common/content-language';


/** Thin HTTP layer: validation and status codes here, decisions in RemediationService. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Console keys see only their tenant; everyone else sees all tenants. */
const scope = (p: Principal) => (p.role === 'console' ? (p.tenantId ?? '') : undefined);

@ApiTags('remediations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid API key.', schema: { example: EXAMPLES.unauthorized } })
@ApiForbiddenResponse({ description: 'The key\'s role may not do this.', schema: { example: EXAMPLES.forbidden } })
@ApiTooManyRequestsResponse({ description: 'Rate limit of the key exceeded, or too many failed authentications from this address (`too_many_auth_failures`); see Retry-After.', schema: { example: EXAMPLES.rateLimited } })
@Controller('v1/remediations')
export class RemediationsController {
  constructor(
    private readonly service: RemediationService,
    private readonly webhooks: WebhookDeliveryService,
    private readonly ids: ChannelIdValidator,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('support', 'console')
  @ApiOperation({ summary: 'Start a remediation (diagnose or fix) for one instance' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe submission: the same key and body return the same remediation for at least 24 h; the same key with another body is 422.' })
  @ApiAcceptedResponse({ description: 'Accepted; poll the Location or subscribe to events. `Idempotent-Replayed: true` on a replay.', schema: { ...ref('Remediation'), example: EXAMPLES.accepted } })
  @ApiBadRequestResponse({ description: 'A field is missing, unknown or malformed; nothing was written.', schema: { example: EXAMPLES.validation } })
  @ApiNotFoundResponse({ description: 'Console keys: the instance is not one of the tenant\'s instances (`not_found`), or it is, in another region (`instance_not_in_region`).' })
  @ApiConflictResponse({ description: 'The instance already has an active remediation; `activeRemediationId` names it.', schema: { example: EXAMPLES.conflict } })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with a different body.', schema: { example: EXAMPLES.idempotency } })
  async create(
    @Body() dto: CreateRemediationDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idemKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (idemKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idemKey)) {
      throw new BadRequestException({ statusCode: 400, error: 'validation_failed', message: 'Idempotency-Key must be 1-255 printable ASCII characters', fields: [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }] });
    }
    this.ids.assertValid(dto.instanceId, dto.region);
    const { remediation, replayed } = await this.service.create(
      { ...dto, ticketRef: dto.ticketRef ?? null, callbackUrl: dto.callbackUrl ?? null },
      { principal, idempotency: idemKey ? { key: idemKey, requestHash: requestHash(dto) } : null },
    );
    res.setHeader('Location', `/v1/remediations/${remediation.id}`);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return remediationSummaryView(remediation);
  }

  @Get()
  @Roles('support', 'console')
  @ApiOperation({ summary: 'List remediations, newest first, with cursor pagination' })
  @ApiOkResponse({ description: '`items` and `nextCursor` (null on the last page).', schema: ref('RemediationList') })
  async list(@Query() q: ListRemediationsQuery, @CurrentPrincipal() principal: Principal) {
    const page = await this.service.list({ ...q, tenantId: scope(principal) });
    return { items: page.items.map((r) => remediationSummaryView(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('support', 'console')
  @ApiOperation({ summary: 'A remediation with diagnosis facts, plan, changes, every command, the timeline and a ticket-ready summary' })
  @ApiHeader({ name: 'Accept-Language', required: false, description: '`zh-CN` (or any zh) for the summary, preview and timeline messages in Chinese; English otherwise. The answer says which in `Content-Language` (and `Vary: Accept-Language`).' })
  @ApiOkResponse({ description: 'The remediation; `Content-Language` says the language of `summary` and `preview`.', schema: ref('RemediationDetail') })
  @ApiNotFoundResponse({ description: 'No such remediation (or another tenant\'s).', schema: { example: EXAMPLES.notFound } })
  async get(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response, @Headers('accept-language') lang?: string) {
    const { remediation, runs, events } = await this.service.get(id, scope(principal));
    const language = parseLang(lang);
    const texts = remediationTexts(remediation, language);
    const webhooks = await this.webhooks.listForRemediation(remediation.id);
    setLanguageHeaders(res, language);
    const view = remediationDetailView(remediation, runs, events);
    const timeline = view.timeline.map((e) => ({ ...e, message: timelineMessage(e, language) }));
    return { ...view, timeline, summary: texts.summary, preview: texts.preview, webhooks };
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @Roles('support', 'console')
  @ApiOperation({
    summary: 'Cancel: immediately if nothing is in flight, otherwise at the next safe point',
    description: 'Takes effect at the next step of the remediation (its job is woken up). Refused with 409 once it can no longer take effect: after the restart was sent (`restart_in_progress`) or when only the read-only verification is left (`verification_in_progress`).',
  })
  @ApiNotFoundResponse({ description: 'No such remediation (or another tenant\'s).', schema: { example: EXAMPLES.notFound } })
  @ApiAcceptedResponse({ description: 'The remediation: `finished`/`cancelled` if nothing was in flight, otherwise `cancelRequested: true`.', schema: ref('Remediation') })
  @ApiConflictResponse({ description: 'Already finished, or too late to cancel (the restart is under way).', schema: { example: EXAMPLES.cancelTooLate } })
  async cancel(@Param('id', uuid) id: string, @Body() _body: NoBodyDto, @CurrentPrincipal() p: Principal) {
    return remediationSummaryView(await this.service.cancel(id, actorOf(p), scope(p)));
  }

  @Post(':id/approve')
  @HttpCode(202)
  @Roles('support', 'console')
  @ApiOperation({
    summary: 'Approve the reboot a remediation in awaiting_approval is waiting for',
    description: 'The instance must still belong to the remediation\'s tenant (checked against the live inventory). Approving moves the deadline to leave the restart and the verification their time (see README, "Approvals and deadlines").',
  })
  @ApiNotFoundResponse({ description: 'No such remediation, another tenant\'s, or its instance changed owner since.', schema: { example: EXAMPLES.notFound } })
  @ApiAcceptedResponse({ description: 'The remediation, now `running`: it is diagnosed again, then changed and restarted.', schema: ref('Remediation') })
  @ApiConflictResponse({ description: 'Not awaiting approval (`invalid_state`), or the approval window closed.', schema: { example: EXAMPLES.stateConflict } })
  async approve(@Param('id', uuid) id: string, @Body() _body: NoBodyDto, @CurrentPrincipal() p: Principal) {
    return remediationSummaryView(await this.service.approve(id, actorOf(p), scope(p)));
  }

  @Post(':id/rollback')
  @HttpCode(202)
  @Roles('support', 'console')
  @ApiOperation({
    summary: 'Put back the values a finished fix changed (single-session, licensing configuration), as a new remediation of mode rollback',
    description: 'Role removal is not reversible: reinstalling the RDSH role would not restore the grace period and would bring the lockout back. A value changed by someone else since the fix is not overwritten (the rollback is refused as drift).',
  })
  @ApiAcceptedResponse({ description: 'The rollback remediation; follow its Location.', schema: ref('Remediation') })
  @ApiNotFoundResponse({ description: 'No such remediation, another tenant\'s, or its instance changed owner since.', schema: { example: EXAMPLES.notFound } })
  @ApiConflictResponse({ description: 'Not finished (`invalid_state`), not reversible (`not_reversible`: role removal, or a rollback), already rolled back (`already_rolled_back`, `rollbackId` names the rollback), or the instance has an active remediation.', schema: { example: EXAMPLES.notReversible } })
  async rollback(@Param('id', uuid) id: string, @Body() _body: NoBodyDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const r = await this.service.rollback(id, actorOf(p), scope(p));
    res.setHeader('Location', `/v1/remediations/${r.id}`);
    return remediationSummaryView(r);
  }
}

function actorOf(p: Principal) {
  return { keyId: p.keyId, role: p.role, source: p.role === 'console' ? 'console' : 'api' };
}
