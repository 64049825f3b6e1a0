import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiAcceptedResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  campaignView,
  CampaignControl,
  CampaignCreator,
  CampaignQueries,
  CampaignReports,
  creationView,
  decodeCampaignCursor,
  TARGET_OUTCOMES,
} from '@rdpfix/campaigns';
import type { Principal } from '@rdpfix/domain';
import { WebhookDeliveryService } from '@rdpfix/webhooks';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { EXAMPLES } from '../common/openapi-examples';
import { uuidParam as uuid } from '../common/uuid-param.pipe';
import { CampaignCallBudget } from './campaign-call-budget';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { parseBoolQuery, scopeOf } from './campaign-scope';
import { arr, ref } from '../openapi/schema-helpers';

const fieldError = (field: string, message: string) => new BadRequestException({ statusCode: 400, error: 'validation_failed', message, fields: [{ field, message }] });

function parseOutcomes(v: unknown): string[] | null {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw fieldError('outcome', 'outcome must be a comma list of outcomes');
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((o) => !(TARGET_OUTCOMES as readonly string[]).includes(o));
  if (bad !== undefined || list.length === 0) throw fieldError('outcome', `outcome must be a comma list of: ${TARGET_OUTCOMES.join(', ')}`);
  return list;
}

function parseFormat(v: unknown): 'csv' | 'json' {
  if (v === undefined || v === 'json') return 'json';
  if (v === 'csv') return 'csv';
  throw fieldError('format', 'format must be csv or json');
}

/**
 * Fleet campaigns (issue 10). `fleet` keys create and control them, `support` keys read them,
 * console keys get 403; a tenant-bound key sees only its tenant. Controllers stay thin: the
 * campaigns lib creates, schedules and reports.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid API key.', schema: { example: EXAMPLES.unauthorized } })
@ApiForbiddenResponse({ description: 'Only fleet (and admin) keys create and control campaigns; support keys may read them.' })
@UseFilters(CampaignExceptionFilter)
@Controller('v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly creator: CampaignCreator,
    private readonly control: CampaignControl,
    private readonly queries: CampaignQueries,
    private readonly reports: CampaignReports,
    private readonly webhooks: WebhookDeliveryService,
    private readonly callBudget: CampaignCallBudget,
  ) {}

  @Post()
  @Roles('fleet')
  @ApiOperation({
    summary: 'Create a campaign (or preview one) from a JSON list, an uploaded CSV/newline file, or an inventory filter',
    description:
      'application/json: `{mode, strategy, allowReboot, licenseServer, licensingMode, maxConcurrency, maxErrors, maxUnreachable, waves, waveBakeSeconds, callbackUrl, exclude, targets:[{instanceId, region}] | filter:{tenantId, region, tags}}`. ' +
      'multipart/form-data: a `spec` part (the same fields as JSON, without targets) and a `targets` file (CSV with header instanceId,region, or one instanceId[,region] per line). ' +
      'The body is streamed (up to CAMPAIGN_BODY_LIMIT bytes and CAMPAIGN_MAX_TARGETS targets); the targets are frozen at creation with every exclusion and its reason. ' +
      'Bad input is a 400 naming the line or field, and nothing is written. `?preview=true` answers the same without creating anything.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: { type: 'object', example: { mode: 'fix', strategy: 'remove-role', allowReboot: true, maxConcurrency: '10%', maxErrors: 5, waves: [1, 10, '5%', '100%'], waveBakeSeconds: 300, targets: [{ instanceId: 'i-0abc123def4567890', region: 'eu-west-1' }] } } })
  @ApiQuery({ name: 'preview', required: false, type: Boolean })
  @ApiCreatedResponse({ description: 'Created: the frozen target counts, the exclusions and the absolute rate-control numbers ("stops at the 6th failure").', schema: ref('CampaignCreation') })
  @ApiOkResponse({ description: 'Preview: counts, a sample and the exclusions; nothing created.', schema: ref('CampaignCreation') })
  @ApiNotFoundResponse({ description: 'A target the key\'s tenant does not own (tenant-bound keys).' })
  async create(@Req() req: Request, @Res() res: Response, @Query('preview') preview: unknown, @CurrentPrincipal() p: Principal): Promise<void> {
    const isPreview = parseBoolQuery(preview, 'preview');
    const out = await this.creator.fromRequest(req.headers, req, p, isPreview);
    if (out.campaign) res.setHeader('Location', `/v1/campaigns/${out.campaign.id}`);
    res.status(isPreview ? 200 : 201).json(creationView(out));
  }

  @Get()
  @Roles('fleet', 'support')
  @ApiOperation({ summary: 'List campaigns, newest first (cursor pagination)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 100, default 20.' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'The nextCursor of the previous page.' })
  @ApiOkResponse({ description: '`items` and `nextCursor`.', schema: ref('CampaignList') })
  async list(@Query('limit') limitQ: unknown, @Query('cursor') cursorQ: unknown, @CurrentPrincipal() p: Principal) {
    const limit = limitQ === undefined ? 20 : Number(limitQ);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw fieldError('limit', 'limit must be an integer from 1 to 100');
    let after;
    if (cursorQ !== undefined) {
      after = typeof cursorQ === 'string' ? decodeCampaignCursor(cursorQ) : null;
      if (!after) throw fieldError('cursor', 'cursor is not one this API issued');
    }
    return this.queries.list(scopeOf(p), limit, after ?? undefined);
  }

  @Get(':id')
  @Roles('fleet', 'support')
  @ApiOperation({ summary: 'A campaign: counts by state and outcome, error budget, rate over 1 and 5 minutes, ETA, targets in flight with their age, the channel call budget of its regions' })
  @ApiOkResponse({ description: 'The campaign with live progress, the shared channel call budget (limit and effective rate) of the regions of its targets, and its webhook deliveries.', schema: ref('CampaignProgress') })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async get(@Param('id', uuid) id: string, @CurrentPrincipal() p: Principal) {
    const view = await this.queries.progress(id, scopeOf(p));
    const [callBudget, webhooks] = await Promise.all([this.callBudget.forRegions(view.targets.regions), this.webhooks.listForCampaign(id)]);
    return { ...view, callBudget, webhooks };
  }

  @Get(':id/report')
  @Roles('fleet', 'support')
  @ApiOperation({ summary: 'One row per instance, streamed: id, region, wave, state, outcome, reason, exit code, attempts, timestamps, output tail + truncation flag' })
  @ApiQuery({ name: 'outcome', required: false, description: `comma list of: ${TARGET_OUTCOMES.join(', ')}` })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'A JSON array of rows, or CSV with the same columns (streamed).', content: { 'application/json': { schema: arr(ref('CampaignReportRow')) }, 'text/csv': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async report(@Param('id', uuid) id: string, @Query('outcome') outcomeQ: unknown, @Query('format') formatQ: unknown, @CurrentPrincipal() p: Principal, @Res() res: Response): Promise<void> {
    const outcomes = parseOutcomes(outcomeQ);
    const format = parseFormat(formatQ);
    const scope = scopeOf(p);
    const c = await this.queries.find(id, scope);
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="campaign-${id}.${format}"`);
    await this.reports.report(c, scope, { outcomes, format }, res);
  }

  @Get(':id/census')
  @Roles('fleet', 'support')
  @ApiOperation({ summary: 'Fleet census: causes by OS release, grace days left (histogram), licensing mode, refusal reasons a fix would meet' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiOkResponse({ description: 'The census as JSON, or CSV.', content: { 'application/json': { schema: ref('CampaignCensus') }, 'text/csv': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async census(@Param('id', uuid) id: string, @Query('format') formatQ: unknown, @CurrentPrincipal() p: Principal, @Res() res: Response): Promise<void> {
    const format = parseFormat(formatQ);
    const scope = scopeOf(p);
    const c = await this.queries.find(id, scope);
    const census = await this.reports.census(c, scope);
    if (format === 'csv') {
      res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.send(this.reports.censusCsv(census));
      return;
    }
    res.status(200).json({ id: c.id, mode: c.mode, state: c.state, census });
  }

  @Post(':id/pause')
  @HttpCode(202)
  @Roles('fleet')
  @ApiOperation({ summary: 'Pause (draining): nothing new starts; targets in flight finish. Survives restarts.' })
  @ApiAcceptedResponse({ description: 'The campaign, now paused.', schema: ref('Campaign') })
  @ApiConflictResponse({ description: 'Not running.' })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async pause(@Param('id', uuid) id: string, @CurrentPrincipal() p: Principal) {
    return campaignView(await this.control.pause(id, p, scopeOf(p)));
  }

  @Post(':id/resume')
  @HttpCode(202)
  @Roles('fleet')
  @ApiOperation({ summary: 'Resume a paused campaign; finished targets are never run again' })
  @ApiAcceptedResponse({ description: 'The campaign, running again.', schema: ref('Campaign') })
  @ApiConflictResponse({ description: 'Not paused.' })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async resume(@Param('id', uuid) id: string, @CurrentPrincipal() p: Principal) {
    return campaignView(await this.control.resume(id, p, scopeOf(p)));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @Roles('fleet')
  @ApiOperation({ summary: 'Cancel: says, per target in flight, what was stopped and what was not' })
  @ApiAcceptedResponse({ description: 'The campaign (cancelling) and `cancel`: per target in flight, what was stopped.', schema: ref('CampaignCancel') })
  @ApiConflictResponse({ description: 'Already ended.' })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async cancel(@Param('id', uuid) id: string, @CurrentPrincipal() p: Principal) {
    const r = await this.control.cancel(id, p, scopeOf(p));
    return { ...campaignView(r.campaign), cancel: r.cancel };
  }

  @Post(':id/approve')
  @HttpCode(202)
  @Roles('fleet')
  @ApiOperation({ summary: 'Approve the restart of targets waiting in awaiting_approval: {"all": true} or a filter (instanceIds, region, wave)' })
  @ApiBody({ schema: { type: 'object', example: { all: true } } })
  @ApiAcceptedResponse({ description: 'The campaign and how many targets were approved.', schema: ref('CampaignApproval') })
  @ApiConflictResponse({ description: 'Not a running fix campaign.' })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async approve(@Param('id', uuid) id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    const r = await this.control.approve(id, body, p, scopeOf(p));
    return { ...campaignView(r.campaign), approved: r.approved };
  }

  @Post(':id/retry')
  @HttpCode(201)
  @Roles('fleet')
  @ApiOperation({ summary: 'A child campaign over the targets with the given outcomes (default failed,timed_out,unreachable,not_started), with the parent\'s parameters' })
  @ApiBody({ schema: { type: 'object', example: { outcomes: ['failed', 'timed_out', 'unreachable', 'not_started'], maxConcurrency: 5 } } })
  @ApiCreatedResponse({ description: 'The child campaign.', schema: ref('CampaignCreation') })
  @ApiConflictResponse({ description: 'The campaign has not ended, or no target has those outcomes.' })
  @ApiNotFoundResponse({ description: 'No such campaign (or another tenant\'s).' })
  async retry(@Param('id', uuid) id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const out = await this.control.retry(id, body ?? {}, p, scopeOf(p));
    if (out.campaign) res.setHeader('Location', `/v1/campaigns/${out.campaign.id}`);
    return creationView(out);
  }
}
