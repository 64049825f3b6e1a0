import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Rng } from '../common/rng';
import { FaultService } from '../faults/fault.service';
import { JdAssistantService } from './jd-assistant.service';
import { JdAuthService } from './jd-auth';
import { JdError, newRequestId } from './jd-error';
import { serverErrorStatus } from './jd-sim-config';
import { JdState } from './jd-state';
import { JdVmService } from './jd-vm.service';

type RawRequest = Request & { rawBody?: Buffer };

/**
 * JD Cloud's OpenAPI gateway in front of the simulated fleet: Cloud Assistant
 * (`POST /v1/regions/{regionId}/<op>`, service `assistant`) and the VM calls
 * (`GET /v1/regions/{regionId}/instances[/{id}]`, `POST .../instances/{id}:rebootInstance`, service `vm`).
 * Every call: latency → signature → faults → operation; answers are `{requestId, result}` or
 * `{requestId, error: {code, status, message}}` with `x-jdcloud-request-id`.
 */
@Controller('v1/regions/:regionId')
export class JdController {
  constructor(
    private readonly state: JdState,
    private readonly auth: JdAuthService,
    private readonly assistant: JdAssistantService,
    private readonly vm: JdVmService,
    private readonly faults: FaultService,
    private readonly rng: Rng,
  ) {}

  @Get('instances')
  describeInstances(@Param('regionId') region: string, @Req() req: RawRequest, @Res() res: Response): Promise<void> {
    return this.serve(req, res, region, 'vm', 'describeInstances', [], () => this.vm.describeInstances(region, req.query as Record<string, unknown>, Date.now()));
  }

  @Get('instances/:id')
  describeInstance(@Param('regionId') region: string, @Param('id') id: string, @Req() req: RawRequest, @Res() res: Response): Promise<void> {
    return this.serve(req, res, region, 'vm', 'describeInstance', [id], () => this.vm.describeInstance(region, id, Date.now()));
  }

  @Post('instances/:spec')
  instanceAction(@Param('regionId') region: string, @Param('spec') spec: string, @Req() req: RawRequest, @Res() res: Response): Promise<void> {
    const m = /^(.+):rebootInstance$/.exec(spec);
    return this.serve(req, res, region, 'vm', 'rebootInstance', m ? [m[1]] : [], () => {
      if (!m) throw new JdError(404, 'NOT_FOUND', `no operation at instances/${spec}`);
      return this.vm.rebootInstance(region, m[1], Date.now());
    });
  }

  @Post(':op')
  assistantOp(@Param('regionId') region: string, @Param('op') op: string, @Req() req: RawRequest, @Res() res: Response): Promise<void> {
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : null;
    return this.serve(req, res, region, 'assistant', op, this.assistant.instanceIdsOf(body ?? {}), () => {
      if (!body) throw new JdError(400, 'INVALID_ARGUMENT', 'the body must be a JSON object');
      return this.assistant.execute(op, body, { region, now: Date.now() });
    });
  }

  private async serve(req: RawRequest, res: Response, region: string, service: string, op: string, instanceIds: string[], run: () => Record<string, unknown>): Promise<void> {
    const requestId = newRequestId();
    const cfg = this.state.config;
    this.state.countCall(op);
    try {
      if (cfg.latencyMs > 0) await new Promise((r) => setTimeout(r, cfg.latencyMs).unref());
      this.auth.verify({ method: req.method, url: req.originalUrl, headers: req.headers, rawBody: req.rawBody ?? Buffer.alloc(0) }, { region, service });
      if (cfg.unsupportedOps.includes(op)) throw new JdError(501, 'NOT_IMPLEMENTED', `operation ${op} is not implemented`);
      if (this.faults.shouldThrottle(instanceIds) || this.rng.chance(cfg.rateLimitRate)) throw new JdError(429, 'RATE_LIMIT', 'too many requests');
      if ((op === 'createCommand' || JdAssistantService.isSend(op)) && this.rng.chance(cfg.quotaExceededRate)) {
        throw new JdError(429, 'QUOTA_EXCEEDED', 'quota exceeded');
      }
      if (this.rng.chance(cfg.serverErrorRate) && cfg.serverErrorCodes.length) {
        const code = cfg.serverErrorCodes[this.rng.int(cfg.serverErrorCodes.length)];
        throw new JdError(code, serverErrorStatus(code), 'the service is unavailable, try again later');
      }
      const result = run();
      if (JdAssistantService.isSend(op) && this.rng.chance(cfg.dropSendResponseRate)) {
        // It happened, but the caller never hears so.
        this.state.stats.droppedResponses += 1;
        req.socket.destroy();
        return;
      }
      res.status(200).set('x-jdcloud-request-id', requestId).type('application/json; charset=utf-8').send(JSON.stringify({ requestId, result }));
    } catch (e) {
      const err = e instanceof JdError ? e : new JdError(500, 'INTERNAL', (e as Error).message);
      this.state.countError(err.status);
      res
        .status(err.code)
        .set('x-jdcloud-request-id', requestId)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ requestId, error: { code: err.code, status: err.status, message: err.message } }));
    }
  }
}
