import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RemediationService, remediationDetailView, remediationSummaryView } from '@rdpfix/remediation';
import { CreateRemediationDto } from './dto/create-remediation.dto';
import { ListRemediationsQuery } from './dto/list-remediations.query';
import { uuidParam as uuid } from '../common/uuid-param.pipe';


/** Thin HTTP layer: validation and status codes here, decisions in RemediationService. */
@ApiTags('remediations')
@Controller('v1/remediations')
export class RemediationsController {
  constructor(private readonly service: RemediationService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a remediation (diagnose or fix) for one instance' })
  @ApiAcceptedResponse({ description: 'Accepted; poll the Location or subscribe to events.' })
  @ApiBadRequestResponse({ description: 'A field is missing, unknown or malformed; nothing was written.' })
  @ApiConflictResponse({ description: 'The instance already has an active remediation; `activeRemediationId` names it.' })
  async create(@Body() dto: CreateRemediationDto, @Res({ passthrough: true }) res: Response) {
    const r = await this.service.create({ ...dto, ticketRef: dto.ticketRef ?? null });
    res.setHeader('Location', `/v1/remediations/${r.id}`);
    return remediationSummaryView(r);
  }

  @Get()
  @ApiOperation({ summary: 'List remediations, newest first, with cursor pagination' })
  @ApiOkResponse({ description: '`items` and `nextCursor` (null on the last page).' })
  async list(@Query() q: ListRemediationsQuery) {
    const page = await this.service.list(q);
    return { items: page.items.map((r) => remediationSummaryView(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A remediation with diagnosis facts, plan, changes, every command and the timeline' })
  @ApiNotFoundResponse({ description: 'No such remediation.' })
  async get(@Param('id', uuid) id: string) {
    const { remediation, runs, events } = await this.service.get(id);
    return remediationDetailView(remediation, runs, events);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel: immediately if nothing is in flight, otherwise at the next safe point' })
  @ApiConflictResponse({ description: 'Already finished.' })
  async cancel(@Param('id', uuid) id: string) {
    return remediationSummaryView(await this.service.cancel(id, null));
  }

  @Post(':id/approve')
  @HttpCode(202)
  @ApiOperation({ summary: 'Approve the reboot a remediation in awaiting_approval is waiting for' })
  @ApiConflictResponse({ description: 'Not awaiting approval, or the approval window closed.' })
  async approve(@Param('id', uuid) id: string) {
    return remediationSummaryView(await this.service.approve(id, null));
  }
}
