import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AgentService } from '../agent/agent.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { SimInvocation } from '../lifecycle/invocation';
import { SimStore } from '../store/sim-store';
import { invalidArgument, jdTime, notFound } from './jd-error';
import { JdInput } from './jd-input';
import { scriptTextOf } from './jd-script';
import { JdInvocationRecord, JdSavedCommand, JdState } from './jd-state';
import { invocationView } from './jd-views';

const COMMAND_NAME = /^[A-Za-z0-9_\-.\u4e00-\u9fa5]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `${prefix}-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export interface JdContext {
  region: string;
  now: number;
}

/**
 * Cloud Assistant operations over the simulator's one instance model and lifecycle: an
 * invokeCommand becomes a lifecycle command (the same engine, scripts, faults and ground truth
 * as SSM), and describeInvocations reads it back in JD's vocabulary.
 */
@Injectable()
export class JdAssistantService {
  constructor(
    private readonly state: JdState,
    private readonly store: SimStore,
    private readonly lifecycle: LifecycleService,
    private readonly agent: AgentService,
  ) {}

  /** Instance ids an operation names (per-instance throttling faults). */
  instanceIdsOf(body: Record<string, unknown>): string[] {
    const v = body.instances;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  execute(op: string, body: Record<string, unknown>, ctx: JdContext): Record<string, unknown> {
    const input = new JdInput(body);
    input.checkRegion(ctx.region);
    switch (op) {
      case 'createCommand':
        return { commandId: this.createCommand(input, ctx).commandId };
      case 'describeCommands':
        return this.describeCommands(input, ctx);
      case 'modifyCommand':
        return this.modifyCommand(input, ctx);
      case 'deleteCommands':
        return this.deleteCommands(input, ctx);
      case 'invokeCommand':
        return { invokeId: this.invoke(this.commandOf(input.string('commandId', { required: true })!, ctx), input, ctx).invokeId };
      case 'runCommand':
        return this.runCommand(input, ctx);
      case 'describeInvocations':
        return this.describeInvocations(input, ctx);
      case 'stopInvocation':
        return this.stopInvocation(input, ctx);
      case 'describeAssistants':
        return this.describeAssistants(input, ctx);
      case 'addLogConfig':
      case 'modifyLogConfig':
        input.string('logtopic', { required: true, min: 1, max: 256 });
        input.string('logset', { max: 256 });
        return {};
      default:
        throw notFound(`operation ${op} not found`);
    }
  }

  private readCommandFields(input: JdInput, partial: boolean): Partial<JdSavedCommand> {
    const content = input.string('commandContent', { required: !partial, min: 1 });
    if (content !== undefined) {
      if (!BASE64.test(content) || content.length % 4 !== 0) throw invalidArgument('commandContent must be base64');
      if (Buffer.byteLength(content) >= this.state.config.maxCommandContentBytes) {
        throw invalidArgument(`commandContent must be shorter than ${this.state.config.maxCommandContentBytes} bytes after base64`);
      }
    }
    return {
      commandName: input.string('commandName', { required: !partial, min: 1, max: 128, pattern: COMMAND_NAME }),
      commandType: input.string('commandType', { oneOf: ['shell', 'powershell'] }),
      commandContent: content,
      commandDescription: input.string('commandDescription', { max: 255 }),
      timeout: input.int('timeout', { min: 10, max: 86400 }),
      username: input.string('username', { max: 255 }),
      workdir: input.string('workdir', { max: 255 }),
    };
  }

  private createCommand(input: JdInput, ctx: JdContext): JdSavedCommand {
    if (input.bool('enableParameter')) throw invalidArgument('enableParameter: custom parameters are not modelled');
    const f = this.readCommandFields(input, false);
    const windows = (f.commandType ?? 'shell') === 'powershell';
    const cmd: JdSavedCommand = {
      commandId: newId('cmd'),
      region: ctx.region,
      commandName: f.commandName!,
      commandType: f.commandType ?? 'shell',
      commandContent: f.commandContent!,
      commandDescription: f.commandDescription ?? '',
      timeout: f.timeout ?? 60,
      username: f.username ?? (windows ? 'administrator' : 'root'),
      workdir: f.workdir ?? (windows ? 'C:\\Windows\\System32' : '/root'),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    this.state.commands.set(cmd.commandId, cmd);
    return cmd;
  }

  private commandOf(commandId: string, ctx: JdContext): JdSavedCommand {
    const cmd = this.state.commands.get(commandId);
    if (!cmd || cmd.region !== ctx.region) throw notFound(`command ${commandId} not found`);
    return cmd;
  }

  private modifyCommand(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const cmd = this.commandOf(input.string('commandId', { required: true })!, ctx);
    const f = this.readCommandFields(input, true);
    for (const [k, v] of Object.entries(f)) if (v !== undefined) (cmd as unknown as Record<string, unknown>)[k] = v;
    cmd.updatedAt = ctx.now;
    return { commandId: cmd.commandId };
  }

  private describeCommands(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const { pageNumber, pageSize } = input.page();
    const ids = input.strings('commandIds', { max: 100 });
    const names = input.strings('commandNames', { max: 100 });
    const types = input.strings('commandTypes');
    const all = [...this.state.commands.values()]
      .filter((c) => c.region === ctx.region)
      .filter((c) => !ids || ids.includes(c.commandId))
      .filter((c) => !names || names.includes(c.commandName))
      .filter((c) => !types || types.includes(c.commandType))
      .sort((a, b) => b.createdAt - a.createdAt);
    return {
      totalCount: all.length,
      commands: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((c) => ({
        commandId: c.commandId,
        commandName: c.commandName,
        commandType: c.commandType,
        commandContent: c.commandContent,
        timeout: c.timeout,
        username: c.username,
        workdir: c.workdir,
        commandDescription: c.commandDescription,
        enableParameter: false,
        parameters: [],
        createTime: jdTime(c.createdAt),
        updateTime: jdTime(c.updatedAt),
      })),
    };
  }

  /**
   * Deletes commands. Pessimistic (not verified): the invocations of a deleted command are gone
   * from describeInvocations too, so an adapter that deletes too early loses results.
   */
  private deleteCommands(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const ids = input.strings('commandIds', { required: true, min: 1, max: 100 })!;
    for (const id of ids) this.commandOf(id, ctx);
    for (const id of ids) {
      this.state.commands.delete(id);
      for (const [invokeId, rec] of this.state.invocations) if (rec.commandId === id) this.state.invocations.delete(invokeId);
    }
    return { commandId: ids[0] };
  }

  private invoke(cmd: JdSavedCommand, input: JdInput, ctx: JdContext): JdInvocationRecord {
    if (input.string('execTime') !== undefined) throw invalidArgument('execTime: scheduled runs are not modelled');
    if (input.bool('enableParameter')) throw invalidArgument('enableParameter: custom parameters are not modelled');
    if (input.has('tags')) throw invalidArgument('tags: tag targeting is not modelled');
    const instances = input.strings('instances', { required: true, min: 1, max: 50 })!;
    if (new Set(instances).size !== instances.length) throw invalidArgument('instances contains duplicates');
    const unknown = instances.filter((id) => this.store.getInstance(id)?.region !== ctx.region);
    if (unknown.length) throw invalidArgument(`instances not found in ${ctx.region}: ${unknown.join(', ')}`);
    const timeout = input.int('timeout', { min: 10, max: 86400 }) ?? cmd.timeout;
    input.string('username', { max: 255 });
    input.string('workdir', { max: 255 });
    input.string('windowsPassword', { max: 255 });
    const sim = this.lifecycle.send({
      documentName: `jdcloud:${cmd.commandType}`,
      comment: cmd.commandDescription,
      parameters: { commands: [cmd.commandType === 'powershell' ? scriptTextOf(cmd.commandContent) : '#!/bin/sh'] },
      instanceIds: instances,
      region: ctx.region,
      timeoutSeconds: this.state.config.deliveryTimeoutS,
      executionTimeoutSeconds: timeout,
      maxConcurrency: '50',
      maxErrors: '0',
    });
    const rec: JdInvocationRecord = {
      invokeId: newId('inv'),
      region: ctx.region,
      commandId: cmd.commandId,
      command: { ...cmd },
      simCommandId: sim.commandId,
      instances: [...instances],
      timeout,
      createdAt: ctx.now,
    };
    this.state.invocations.set(rec.invokeId, rec);
    return rec;
  }

  private runCommand(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const cmd = this.createCommand(input, ctx);
    let rec: JdInvocationRecord;
    try {
      rec = this.invoke(cmd, input, ctx);
    } catch (e) {
      this.state.commands.delete(cmd.commandId);
      throw e;
    }
    if (input.bool('keepCommand') === false) {
      // The run keeps its own snapshot; only the saved command goes.
      this.state.commands.delete(cmd.commandId);
    }
    return { commandId: cmd.commandId, invokeId: rec.invokeId };
  }

  private simInvocations(rec: JdInvocationRecord): SimInvocation[] | null {
    if (!this.store.getCommand(rec.simCommandId)) return null; // the simulator was reset
    return this.store.invocationsOfCommand(rec.simCommandId);
  }

  private describeInvocations(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const { pageNumber, pageSize } = input.page();
    const invokeIds = input.strings('invokeIds', { max: 100 });
    const commandIds = input.strings('commandIds', { max: 100 });
    const names = input.strings('commandNames', { max: 100 });
    const statuses = input.strings('status');
    input.strings('commandTypes');
    input.strings('userNames');
    const byListing = !invokeIds;
    const names_ = new Map([...this.store.instances.values()].map((i) => [i.instanceId, i.computerName]));
    const views: Record<string, unknown>[] = [];
    const recs = [...this.state.invocations.values()].filter((r) => r.region === ctx.region).sort((a, b) => b.createdAt - a.createdAt);
    for (const rec of recs) {
      if (invokeIds && !invokeIds.includes(rec.invokeId)) continue;
      if (commandIds && !commandIds.includes(rec.commandId)) continue;
      if (names && !names.includes(rec.command.commandName)) continue;
      const invs = this.simInvocations(rec);
      if (!invs) continue;
      // Eventual consistency: invisible at first, and listings may lag further (delayListingMs fault).
      const visibleAt = Math.max(...invs.map((i) => i.visibleAt)) + (byListing ? this.state.config.delayListingMs : 0);
      if (ctx.now < visibleAt) continue;
      const view = invocationView(rec, invs, names_, this.state.config);
      if (statuses && !statuses.includes(view.status as string)) continue;
      views.push(view);
    }
    return { totalCount: views.length, invocations: views.slice((pageNumber - 1) * pageSize, pageNumber * pageSize) };
  }

  private stopInvocation(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const invokeId = input.string('invokeId', { required: true })!;
    const instances = input.strings('instances', { max: 50 });
    const rec = this.state.invocations.get(invokeId);
    if (!rec || rec.region !== ctx.region || !this.simInvocations(rec)) throw notFound(`invocation ${invokeId} not found`);
    this.lifecycle.cancel(rec.simCommandId, instances ?? null);
    return { invokeId };
  }

  private describeAssistants(input: JdInput, ctx: JdContext): Record<string, unknown> {
    const ids = input.strings('instances', { required: true, min: 1, max: 100 })!;
    const assistants = ids
      .map((id) => this.store.getInstance(id))
      .filter((i): i is NonNullable<typeof i> => !!i && i.region === ctx.region)
      .map((i) => ({
        instanceId: i.instanceId,
        version: i.agent.version,
        status: this.agent.isOnline(i.instanceId, ctx.now) ? 'online' : 'offline',
        osType: 'windows',
        osVersion: i.os,
        lastHeartBeat: jdTime(this.agent.lastPingAt(i.instanceId, ctx.now)),
      }));
    return { assistants };
  }

  static isSend(op: string): boolean {
    return op === 'invokeCommand' || op === 'runCommand';
  }
}
