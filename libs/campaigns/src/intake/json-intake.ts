import type { Readable } from 'stream';
import { JSONParser } from '@streamparser/json';
import { CampaignInputError } from '../domain/field-error';
import { checkTarget, FORBIDDEN_KEYS, TargetInput } from './target-row';

export interface IntakeOptions {
  /** Largest body in bytes (413 beyond it). */
  limit: number;
  /** Most targets (one more is a 400 naming the item). */
  maxTargets: number;
  regions: ReadonlySet<string>;
  /** Receives validated rows in order, a batch at a time; its promise is the backpressure. */
  sink: (rows: TargetInput[]) => Promise<void>;
  /** Multipart: the spec part, as soon as it is read (before the file when it comes first); may throw to refuse it. */
  onSpec?: (params: Record<string, unknown>) => void;
}

export interface IntakeResult {
  /** Every top-level field except `targets`. */
  params: Record<string, unknown>;
  /** Rows given (0 when the body has no `targets`). */
  count: number;
  hasTargets: boolean;
}

/**
 * Reads a campaign body `{ …parameters, "targets": [{instanceId, region}, …] }` as a stream:
 * each target is validated and handed to `sink` as soon as it is parsed, and removed from the
 * parser's memory (the array is emptied as it goes), so 100,000 targets never sit in memory.
 */
export async function readJsonCampaign(body: Readable, opts: IntakeOptions): Promise<IntakeResult> {
  const params: Record<string, unknown> = {};
  let count = 0;
  let hasTargets = false;
  let batch: TargetInput[] = [];
  let failure: unknown = null;
  const parser = new JSONParser({ paths: ['$.targets.*', '$.*'], keepStack: false });

  parser.onValue = ({ value, key, parent, stack }) => {
    if (failure) return;
    try {
      if (stack.length === 2) {
        // An element of `targets` (or a key of a `targets` object, refused below).
        if (typeof key !== 'number') throw CampaignInputError.of('targets', 'targets must be a list of {instanceId, region}');
        if (Array.isArray(parent)) parent.length = 0; // forget it: it is in the batch now
        count++;
        if (count > opts.maxTargets) throw CampaignInputError.of(`targets[${key}]`, `at most ${opts.maxTargets} targets: targets[${key}] is one too many`);
        batch.push(target(value, key + 1, opts.regions));
        return;
      }
      if (stack.length !== 1 || typeof key !== 'string') return;
      if (FORBIDDEN_KEYS.has(key)) throw CampaignInputError.of(key, `forbidden key "${key}"`);
      if (key in params || (key === 'targets' && hasTargets)) throw CampaignInputError.of(key, `field "${key}" appears twice`);
      if (key === 'targets') {
        if (!Array.isArray(value)) throw CampaignInputError.of('targets', 'targets must be a list of {instanceId, region}');
        hasTargets = true;
        return;
      }
      params[key] = value;
    } catch (err) {
      failure = err;
    }
  };
  parser.onError = (err) => {
    failure ??= CampaignInputError.of('body', `the body is not valid JSON: ${err.message.slice(0, 200)}`);
  };
  parser.onEnd = () => undefined;

  let bytes = 0;
  let sawStart = false;
  for await (const chunk of readable(body)) {
    const buf = chunk as Buffer;
    if (!sawStart) {
      const first = buf.toString('utf8').trimStart();
      if (first !== '') {
        if (!first.startsWith('{')) throw CampaignInputError.of('body', 'the body must be a JSON object');
        sawStart = true;
      }
    }
    bytes += buf.length;
    if (bytes > opts.limit) throw CampaignInputError.of('body', `the body is larger than ${opts.limit} bytes`, 413, 'entity_too_large');
    try {
      if (!parser.isEnded) parser.write(buf);
      else if (buf.toString('utf8').trim() !== '') failure ??= CampaignInputError.of('body', 'unexpected data after the JSON body');
    } catch (err) {
      failure ??= err instanceof CampaignInputError ? err : CampaignInputError.of('body', `the body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
    }
    if (failure) throw failure;
    if (batch.length) {
      const rows = batch;
      batch = [];
      await opts.sink(rows);
    }
  }
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch (err) {
      failure ??= CampaignInputError.of('body', `the body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  if (failure) throw failure;
  if (bytes === 0) throw CampaignInputError.of('body', 'the body is empty: send a JSON object');
  if (batch.length) await opts.sink(batch);
  return { params, count, hasTargets };
}

/** The body's chunks; a client that aborts or breaks the upload is a 400 (it is gone anyway), never a 500. */
async function* readable(body: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof CampaignInputError) throw err;
    throw CampaignInputError.of('body', `the request body could not be read: ${(err as Error).message.slice(0, 100)}`, 400, 'request_aborted');
  }
}

function target(value: unknown, line: number, regions: ReadonlySet<string>): TargetInput {
  const at = `targets[${line - 1}]`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw CampaignInputError.of(at, `${at} must be an object {instanceId, region}`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'instanceId' && k !== 'region') throw CampaignInputError.of(`${at}.${k}`, `${at}: unknown field "${k}"`);
  const row = checkTarget('json', line, o.instanceId, o.region, regions);
  if (row.region === null) throw CampaignInputError.of(`${at}.region`, `${at}: region is required`);
  return row;
}
