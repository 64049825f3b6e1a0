import type { IncomingHttpHeaders } from 'http';
import type { Readable } from 'stream';
import busboy from 'busboy';
import { parse } from 'csv-parse';
import { CampaignInputError } from '../domain/field-error';
import { IntakeOptions, IntakeResult } from './json-intake';
import { checkTarget, TargetInput } from './target-row';

const SPEC_LIMIT = 256 * 1024;
const BATCH = 1000;

/**
 * Reads a multipart/form-data campaign: a `spec` part (the parameters as JSON, field or file)
 * and a `targets` file — CSV with a header (`instanceId,region`) or a newline file (one
 * `instanceId` or `instanceId,region` per line; `#` starts a comment). Rows are validated and
 * streamed to the sink as they are parsed; errors name the line.
 */
export function readMultipartCampaign(headers: IncomingHttpHeaders, body: Readable, opts: IntakeOptions): Promise<IntakeResult> {
  return new Promise<IntakeResult>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers, limits: { files: 2, fields: 2, fieldSize: SPEC_LIMIT, fileSize: opts.limit, parts: 4 } });
    } catch (err) {
      return reject(CampaignInputError.of('body', `not a multipart/form-data body: ${(err as Error).message}`));
    }
    let params: Record<string, unknown> | null = null;
    let count = 0;
    let hasTargets = false;
    let settled = false;
    const pending: Promise<void>[] = [];
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      body.unpipe(bb);
      body.resume(); // drain the rest so the connection can answer
      reject(err);
    };
    const setSpec = (text: string) => {
      if (params) return fail(CampaignInputError.of('spec', 'the spec part appears twice'));
      let v: unknown;
      try {
        v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      } catch (err) {
        return fail(CampaignInputError.of('spec', `the spec part must be a JSON object of campaign parameters (${(err as Error).message.slice(0, 100)})`));
      }
      if ('targets' in (v as object)) return fail(CampaignInputError.of('spec.targets', 'with an uploaded file, the targets come from the file, not from spec.targets'));
      params = v as Record<string, unknown>;
      try {
        opts.onSpec?.(params);
      } catch (err) {
        fail(err);
      }
    };
    bb.on('field', (name, value, info) => {
      if (name !== 'spec') return fail(CampaignInputError.of(name, `unknown form field "${name}" (send spec and a targets file)`));
      if (info.valueTruncated) return fail(CampaignInputError.of('spec', `the spec part is larger than ${SPEC_LIMIT} bytes`, 413, 'entity_too_large'));
      setSpec(value);
    });
    bb.on('file', (name, stream) => {
      if (name === 'spec') {
        const parts: Buffer[] = [];
        let size = 0;
        stream.on('data', (b: Buffer) => {
          size += b.length;
          if (size <= SPEC_LIMIT) parts.push(b);
        });
        stream.on('end', () => (size > SPEC_LIMIT ? fail(CampaignInputError.of('spec', `the spec part is larger than ${SPEC_LIMIT} bytes`, 413, 'entity_too_large')) : setSpec(Buffer.concat(parts).toString('utf8'))));
        return;
      }
      if (name !== 'targets') {
        stream.resume();
        return fail(CampaignInputError.of(name, `unknown file part "${name}" (send spec and a targets file)`));
      }
      if (hasTargets) {
        stream.resume();
        return fail(CampaignInputError.of('targets', 'the targets file appears twice'));
      }
      hasTargets = true;
      stream.on('limit', () => fail(CampaignInputError.of('targets', `the targets file is larger than ${opts.limit} bytes`, 413, 'entity_too_large')));
      // Rows without a region take the spec's: only when the spec part came first (the order of the
      // parts decides, not how fast they are read).
      const job = readRows(stream, opts, params !== null).then((n) => {
        count = n;
      });
      job.catch(fail);
      pending.push(job);
    });
    bb.on('error', (err) => fail(CampaignInputError.of('body', `malformed multipart body: ${(err as Error).message.slice(0, 200)}`)));
    bb.on('partsLimit', () => fail(CampaignInputError.of('body', 'too many parts: send spec and one targets file')));
    bb.on('filesLimit', () => fail(CampaignInputError.of('body', 'too many files: send one targets file')));
    bb.on('fieldsLimit', () => fail(CampaignInputError.of('body', 'too many fields: send one spec')));
    bb.on('close', () => {
      void Promise.all(pending).then(
        () => {
          if (settled) return;
          settled = true;
          resolve({ params: params ?? {}, count, hasTargets });
        },
        (err) => fail(err),
      );
    });
    // A client that breaks off the upload: busboy would wait for the rest forever.
    body.on('error', (err) => fail(CampaignInputError.of('body', `the request body could not be read: ${err.message.slice(0, 100)}`, 400, 'request_aborted')));
    body.on('close', () => {
      if ((body as Readable & { complete?: boolean }).complete === false) fail(CampaignInputError.of('body', 'the request body was cut off', 400, 'request_aborted'));
    });
    body.pipe(bb);
  });
}

/** An error of the sink (inventory, database): passed on as is, not taken for a bad file. */
class SinkFailure extends Error {
  constructor(readonly original: unknown) {
    super('sink failed');
  }
}

/** Parses the targets file (CSV or one id per line) into validated rows, a batch at a time. */
async function readRows(stream: Readable, opts: IntakeOptions, specFirst: boolean): Promise<number> {
  const sink = async (rows: TargetInput[]) => {
    try {
      await opts.sink(rows);
    } catch (err) {
      throw new SinkFailure(err);
    }
  };
  const csv = stream.pipe(
    parse({
      skip_empty_lines: true,
      relax_column_count: true,
      comment: '#',
      // [cells, line] — the line number of each record, for errors that name it.
      on_record: (rec: string[], ctx) => [rec, ctx.lines] as unknown as string[],
    }),
  );
  let columns: { id: number; region: number } | null = null;
  let first = true;
  let count = 0;
  let batch: TargetInput[] = [];
  try {
    for await (const [cells, line] of csv as AsyncIterable<[string[], number]>) {
      const trimmed = cells.map((c) => c.trim());
      if (trimmed.every((c) => c === '')) continue;
      if (first) {
        first = false;
        const lower = trimmed.map((c) => c.toLowerCase().replace(/[_\s]/g, ''));
        if (lower.includes('instanceid')) {
          const unknown = lower.find((c) => c !== 'instanceid' && c !== 'region');
          if (unknown !== undefined) throw CampaignInputError.of(`line ${line}`, `line ${line}: unknown column "${trimmed[lower.indexOf(unknown)]}" (columns: instanceId, region)`);
          columns = { id: lower.indexOf('instanceid'), region: lower.indexOf('region') };
          continue;
        }
      }
      let id: string | undefined;
      let region: string | undefined;
      if (columns) {
        if (trimmed.length > (columns.region >= 0 ? 2 : 1)) throw CampaignInputError.of(`line ${line}`, `line ${line}: too many columns`);
        id = trimmed[columns.id];
        region = columns.region >= 0 ? trimmed[columns.region] : undefined;
      } else {
        if (trimmed.length > 2) throw CampaignInputError.of(`line ${line}`, `line ${line}: expected instanceId or instanceId,region`);
        [id, region] = trimmed;
      }
      count++;
      if (count > opts.maxTargets) throw CampaignInputError.of(`line ${line}`, `at most ${opts.maxTargets} targets: line ${line} is one too many`);
      const row = checkTarget('file', line, id ?? '', region, opts.regions);
      if (row.region === null && !specFirst) {
        throw CampaignInputError.of(`line ${line}`, `line ${line}: no region (add a region column to the file, or send the spec part, with a region, before the file)`);
      }
      batch.push(row);
      if (batch.length >= BATCH) {
        const rows = batch;
        batch = [];
        await sink(rows);
      }
    }
  } catch (err) {
    if (err instanceof SinkFailure) throw err.original;
    if (err instanceof CampaignInputError) throw err;
    const e = err as { code?: string; lines?: number; message?: string };
    if (e.code?.startsWith('CSV_')) throw CampaignInputError.of(`line ${e.lines ?? '?'}`, `line ${e.lines ?? '?'}: ${e.message ?? 'not valid CSV'}`);
    throw CampaignInputError.of('targets', `the targets file could not be read: ${e.message?.slice(0, 100) ?? 'unknown error'}`, 400, 'request_aborted');
  }
  if (batch.length) await opts.sink(batch);
  return count;
}
