import { BadRequestException, Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { DEFAULT_JD_SIM_CONFIG, JdSimConfig } from './jd-sim-config';
import { JdState } from './jd-state';

const RATES = ['rateLimitRate', 'quotaExceededRate', 'serverErrorRate', 'dropSendResponseRate'] as const;

/** Settings and faults of the JD Cloud front end (docs/simulator.md, "JD Cloud"). */
@Controller('admin/jdcloud')
export class JdAdminController {
  constructor(private readonly state: JdState) {}

  @Get('config')
  get(): JdSimConfig {
    return this.state.config;
  }

  /** Merges the given fields over the current settings; `{ "reset": true }` first restores the defaults. */
  @Put('config')
  set(@Body() body: Partial<JdSimConfig> & { reset?: boolean }): JdSimConfig {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('body must be a JSON object');
    const { reset, ...patch } = body;
    const next: JdSimConfig = { ...(reset ? DEFAULT_JD_SIM_CONFIG : this.state.config), ...patch };
    for (const key of Object.keys(patch)) if (!(key in DEFAULT_JD_SIM_CONFIG)) throw new BadRequestException(`unknown setting ${key}`);
    for (const r of RATES) if (typeof next[r] !== 'number' || next[r] < 0 || next[r] > 1) throw new BadRequestException(`${r} must be within [0, 1]`);
    if (!['finish', 'finished'].includes(next.finishSpelling)) throw new BadRequestException('finishSpelling must be finish or finished');
    if (!['base64', 'raw'].includes(next.outputEncoding)) throw new BadRequestException('outputEncoding must be base64 or raw');
    if (![401, 403].includes(next.authFailureStatus)) throw new BadRequestException('authFailureStatus must be 401 or 403');
    for (const k of ['clockSkewS', 'nonceWindowS', 'maxCommandContentBytes', 'deliveryTimeoutS', 'latencyMs', 'delayListingMs'] as const) {
      if (typeof next[k] !== 'number' || !(next[k] >= 0)) throw new BadRequestException(`${k} must be a number ≥ 0`);
    }
    if (!Array.isArray(next.unsupportedOps) || !Array.isArray(next.serverErrorCodes)) throw new BadRequestException('unsupportedOps and serverErrorCodes are lists');
    if (!next.credentials || typeof next.credentials !== 'object') throw new BadRequestException('credentials must map accessKeyId to secretAccessKey');
    this.state.config = next;
    return next;
  }

  @Get('stats')
  stats() {
    return { ...this.state.stats, commands: this.state.commands.size, invocations: this.state.invocations.size };
  }

  @Post('reset')
  @HttpCode(200)
  reset() {
    this.state.reset();
    this.state.config = { ...DEFAULT_JD_SIM_CONFIG };
    return { reset: true };
  }
}
