import { Readable } from 'stream';
import { CampaignInputError } from '../domain/field-error';
import { parseCampaignParams } from './campaign-params';
import { readMultipartCampaign } from './file-intake';
import { readJsonCampaign } from './json-intake';
import { knownRegions } from './known-regions';
import { TargetInput } from './target-row';

const regions = knownRegions({});
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

function chunks(text: string, size = 7): Readable {
  const parts: Buffer[] = [];
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function json(body: string, opts: { maxTargets?: number; limit?: number } = {}) {
  const rows: TargetInput[] = [];
  const res = await readJsonCampaign(chunks(body), { limit: opts.limit ?? 1e6, maxTargets: opts.maxTargets ?? 100, regions, sink: async (r) => void rows.push(...r) });
  return { ...res, rows };
}

async function problem(p: Promise<unknown>): Promise<{ field: string; message: string; status: number }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof CampaignInputError)) throw err;
    return { ...err.problems[0], status: err.status };
  }
  throw new Error('accepted');
}

describe('readJsonCampaign (streamed)', () => {
  it('streams targets in order and returns the other fields', async () => {
    const r = await json(JSON.stringify({ mode: 'fix', targets: [{ instanceId: id(1), region: 'eu-west-1' }, { region: 'us-east-1', instanceId: id(2) }], maxErrors: 3 }));
    expect(r.params).toEqual({ mode: 'fix', maxErrors: 3 });
    expect(r.rows).toEqual([{ line: 1, instanceId: id(1), region: 'eu-west-1' }, { line: 2, instanceId: id(2), region: 'us-east-1' }]);
    expect(r.count).toBe(2);
    expect(r.hasTargets).toBe(true);
  });

  it('names the item and field of a bad target', async () => {
    const bad = async (t: unknown) => problem(json(JSON.stringify({ targets: [{ instanceId: id(1), region: 'eu-west-1' }, t] })));
    expect(await bad({ instanceId: 'i-nothex!', region: 'eu-west-1' })).toMatchObject({ field: 'targets[1].instanceId' });
    expect(await bad({ instanceId: id(2), region: 'xx-north-1' })).toMatchObject({ field: 'targets[1].region', message: expect.stringMatching(/unknown region/) });
    expect(await bad({ instanceId: id(2), region: 'EU' })).toMatchObject({ field: 'targets[1].region' });
    expect(await bad({ instanceId: id(2) })).toMatchObject({ field: 'targets[1].region' });
    expect(await bad({ instanceId: id(2), region: 'eu-west-1', extra: 1 })).toMatchObject({ field: 'targets[1].extra' });
    expect(await bad('i-abc')).toMatchObject({ field: 'targets[1]' });
  });

  it('refuses one target too many, naming it', async () => {
    const targets = Array.from({ length: 4 }, (_, i) => ({ instanceId: id(i), region: 'eu-west-1' }));
    expect(await problem(json(JSON.stringify({ targets }), { maxTargets: 3 }))).toMatchObject({ field: 'targets[3]', message: expect.stringMatching(/at most 3 targets/) });
  });

  it('refuses broken JSON, a non-object, duplicate or prototype keys, and a body over the limit (413)', async () => {
    expect(await problem(json('{"targets": [{"instanceId": '))).toMatchObject({ field: 'body' });
    expect(await problem(json('[1,2]'))).toMatchObject({ field: 'body', message: expect.stringMatching(/JSON object/) });
    expect(await problem(json('{"mode":"fix","mode":"diagnose"}'))).toMatchObject({ field: 'mode' });
    expect(await problem(json('{"__proto__":{"x":1}}'))).toMatchObject({ field: '__proto__' });
    expect(await problem(json('{"targets": {"a": 1}}'))).toMatchObject({ field: 'targets' });
    expect(await problem(json('{} {}'))).toMatchObject({ field: 'body' });
    expect(await problem(json(JSON.stringify({ name: 'x'.repeat(500) }), { limit: 100 }))).toMatchObject({ field: 'body', status: 413 });
  });

  it('a body that breaks off is a 400, not a 500', async () => {
    const broken = new Readable({
      read() {
        this.push(Buffer.from('{"targets": ['));
        this.destroy(new Error('aborted'));
      },
    });
    const err = await readJsonCampaign(broken, { limit: 1e6, maxTargets: 10, regions, sink: async () => undefined }).catch((e) => e);
    expect(err).toBeInstanceOf(CampaignInputError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('request_aborted');
  });

  it('keeps memory flat: the parsed array is emptied as targets are handed over', async () => {
    const targets = Array.from({ length: 5000 }, (_, i) => ({ instanceId: id(i), region: 'eu-west-1' }));
    let maxBatch = 0;
    const res = await readJsonCampaign(chunks(JSON.stringify({ targets }), 4096), {
      limit: 1e7,
      maxTargets: 10_000,
      regions,
      sink: async (r) => void (maxBatch = Math.max(maxBatch, r.length)),
    });
    expect(res.count).toBe(5000);
    expect(maxBatch).toBeLessThan(200); // one network chunk's worth, not the list
  });
});

function multipart(parts: { name: string; filename?: string; type?: string; body: string }[]): { headers: Record<string, string>; body: Readable } {
  const boundary = '----rdpfixtest';
  const text =
    parts
      .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n${p.body}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: chunks(text, 64) };
}

async function file(csv: string, spec = '{"mode":"fix"}', maxTargets = 100) {
  const rows: TargetInput[] = [];
  const m = multipart([{ name: 'spec', body: spec }, { name: 'targets', filename: 't.csv', type: 'text/csv', body: csv }]);
  const res = await readMultipartCampaign(m.headers, m.body, { limit: 1e6, maxTargets, regions, sink: async (r) => void rows.push(...r) });
  return { ...res, rows };
}

describe('readMultipartCampaign (CSV or newline file)', () => {
  it('reads a CSV with a header (any column order) and a newline file, skipping blanks and comments', async () => {
    const a = await file(`region,instanceId\neu-west-1,${id(1)}\n\n# a comment\nus-east-1, ${id(2)}\n`);
    expect(a.params).toEqual({ mode: 'fix' });
    expect(a.rows).toEqual([{ line: 2, instanceId: id(1), region: 'eu-west-1' }, { line: 5, instanceId: id(2), region: 'us-east-1' }]);
    const b = await file(`${id(1)}\n${id(2)},eu-west-1\n`);
    expect(b.rows).toEqual([{ line: 1, instanceId: id(1), region: null }, { line: 2, instanceId: id(2), region: 'eu-west-1' }]);
  });

  it('names the line of a junk line, an unknown region, too many columns or one target too many', async () => {
    expect(await problem(file(`instanceId,region\n${id(1)},eu-west-1\nthis is junk,eu-west-1\n`))).toMatchObject({ field: 'line 3' });
    expect(await problem(file(`${id(1)},eu-west-1\n${id(2)},xx-moon-1\n`))).toMatchObject({ field: 'line 2', message: expect.stringMatching(/unknown region/) });
    expect(await problem(file(`${id(1)},eu-west-1,extra\n`))).toMatchObject({ field: 'line 1' });
    expect(await problem(file(`instanceId,region,owner\n${id(1)},eu-west-1,x\n`))).toMatchObject({ field: 'line 1', message: expect.stringMatching(/unknown column/) });
    expect(await problem(file(`${id(1)}\n${id(2)}\n${id(3)}\n`, '{}', 2))).toMatchObject({ field: 'line 3', message: expect.stringMatching(/at most 2/) });
    expect(await problem(file(`"${id(1)},eu-west-1\n`))).toMatchObject({ field: expect.stringMatching(/^line /) });
  });

  it('refuses a bad spec part and unknown parts', async () => {
    expect(await problem(file(`${id(1)}\n`, '{not json'))).toMatchObject({ field: 'spec' });
    expect(await problem(file(`${id(1)}\n`, '{"targets":[]}'))).toMatchObject({ field: 'spec.targets' });
    const m = multipart([{ name: 'other', body: 'x' }]);
    expect(await problem(readMultipartCampaign(m.headers, m.body, { limit: 1e6, maxTargets: 10, regions, sink: async () => undefined }))).toMatchObject({ field: 'other' });
  });
});

describe('parseCampaignParams', () => {
  const parse = (raw: Record<string, unknown>) => parseCampaignParams(raw, { regions, checkCallbackUrl: (u) => (u.startsWith('https://') ? null : 'must be https') });
  const bad = (raw: Record<string, unknown>) => {
    try {
      parse(raw);
    } catch (err) {
      return (err as CampaignInputError).problems[0].field;
    }
    return 'accepted';
  };

  it('applies the defaults', () => {
    const p = parse({});
    expect(p).toMatchObject({ mode: 'diagnose', strategy: 'remove-role', allowReboot: false, maxConcurrency: { kind: 'count', value: 10 }, maxErrors: { kind: 'count', value: 0 }, maxUnreachable: { kind: 'percent', value: 100 }, waves: [], waveBakeS: 0 });
  });

  it('names every bad field', () => {
    expect(bad({ maxConcurrency: '101%' })).toBe('maxConcurrency');
    expect(bad({ maxErrors: '120%' })).toBe('maxErrors');
    expect(bad({ maxUnreachable: -1 })).toBe('maxUnreachable');
    expect(bad({ waves: [1, '200%'] })).toBe('waves[1]');
    expect(bad({ mode: 'destroy' })).toBe('mode');
    expect(bad({ strategy: 'configure-licensing' })).toBe('licenseServer');
    expect(bad({ strategy: 'configure-licensing', licenseServer: 'ls1.example.com' })).toBe('licensingMode');
    expect(bad({ callbackUrl: 'http://x' })).toBe('callbackUrl');
    expect(bad({ region: 'xx-nowhere-9' })).toBe('region');
    expect(bad({ filter: { region: 'xx-nowhere-9' } })).toBe('filter.region');
    expect(bad({ filter: {} })).toBe('filter');
    expect(bad({ exclude: { instanceIds: ['nope'] } })).toBe('exclude.instanceIds[0]');
    expect(bad({ exclude: { filters: [{ tags: { a: 1 } }] } })).toBe('exclude.filters[0].tags.a');
    expect(bad({ waveBakeSeconds: -5 })).toBe('waveBakeSeconds');
    expect(bad({ surprise: 1 })).toBe('surprise');
    expect(bad({ allowReboot: 'yes' })).toBe('allowReboot');
  });
});
