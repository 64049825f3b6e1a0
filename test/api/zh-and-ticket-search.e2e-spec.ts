import { Client } from 'pg';
import { SseClient } from '../events/support/sse-client';
import { Json, Stack } from '../support/stack';

/**
 * Issue 11 §13 and the issue 7 leftover: zh answers say so (Content-Language, Vary), the
 * timeline reads in Chinese, the approval says what was approved, and ticketRef takes a prefix
 * (LIKE wildcards escaped, served by an index).
 */
describe('zh-CN answers, approval text and ticketRef prefix search', () => {
  let stack: Stack;
  let pg: Client;
  const CJK = /[\u4e00-\u9fff]/;

  beforeAll(async () => {
    stack = await Stack.start();
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  it('GET in zh: Content-Language zh-CN, Vary: Accept-Language, summary and timeline in Chinese; the approval names the role removal', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const r = await stack.submit({ instanceId: id, mode: 'fix', ticketRef: 'ZD-4242' });
    await stack.waitFor(r.id, ['awaiting_approval']);
    const zh = await stack.http('GET', `/v1/remediations/${r.id}`, undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' });
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    expect(zh.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(zh.body.summary).toContain('正在等待批准');
    expect(zh.body.summary).toContain('删除远程桌面会话主机角色');
    for (const e of zh.body.timeline as Json[]) expect({ type: e.type, message: e.message, cjk: CJK.test(e.message) }).toEqual({ type: e.type, message: e.message, cjk: true });
    for (const line of zh.body.preview as string[]) expect(line).toMatch(CJK);
    const en = await stack.http('GET', `/v1/remediations/${r.id}`);
    expect(en.headers.get('content-language')).toBe('en');
    expect(en.body.summary).toMatch(/waiting for approval/);

    expect((await stack.http('POST', `/v1/remediations/${r.id}/approve`)).status).toBe(202);
    const done = await stack.waitFor(r.id);
    const approved = (done.timeline as Json[]).find((e) => e.type === 'approved')!;
    expect(approved.message).toMatch(/^approved: removing the Remote Desktop Session Host role, then restarting the server/);
    expect(approved.message).not.toMatch(/^reboot approved/);
    const zhDone = await stack.http('GET', `/v1/remediations/${r.id}`, undefined, { 'accept-language': 'zh-CN' });
    expect((zhDone.body.timeline as Json[]).find((e) => e.type === 'approved')!.message).toMatch(/^已批准：删除远程桌面会话主机角色，然后重启服务器/);
    expect(zhDone.body.summary).toContain('无法回滚的修改');
    // Every message of a whole fix (diagnose, approval, change, restart, verify) has a Chinese text, not the English fallback.
    for (const e of zhDone.body.timeline as Json[]) expect({ type: e.type, message: e.message }).toEqual({ type: e.type, message: expect.not.stringContaining('英文原文') });
  });

  it('the event stream follows Accept-Language too', async () => {
    const id = await stack.instance('2019', 'healthy');
    const r = await stack.submit({ instanceId: id, mode: 'diagnose' });
    const s = await SseClient.open(`${stack.apiUrl}/v1/remediations/${r.id}/events`, { authorization: `Bearer ${stack.adminKey}`, 'accept-language': 'zh-CN' });
    expect(s.status).toBe(200);
    expect(s.headers['content-language']).toBe('zh-CN');
    expect(String(s.headers.vary)).toMatch(/Accept-Language/i);
    await s.ended(60_000);
    const timeline = s.events.filter((e) => e.event !== 'end');
    expect(timeline.length).toBeGreaterThan(3);
    for (const e of timeline) expect(e.data.message).toMatch(CJK);
  });

  it('ticketRef=prefix* finds by prefix; _ is not a wildcard; exact without *; the prefix index serves it', async () => {
    const refs = ['TK-77', 'TK-771', 'TK-77-b', 'TK_7', 'TKX7', 'TK-8'];
    for (const [i, ref] of refs.entries()) await stack.submit({ instanceId: `i-0${String(i + 1).padStart(16, '0')}`, mode: 'diagnose', ticketRef: ref });
    const find = async (q: string) => ((await stack.http('GET', `/v1/remediations?ticketRef=${encodeURIComponent(q)}&limit=100`)).body.items as Json[]).map((x) => x.ticketRef).sort();
    expect(await find('TK-77*')).toEqual(['TK-77', 'TK-77-b', 'TK-771']);
    expect(await find('TK_*')).toEqual(['TK_7']);
    expect(await find('TK-77')).toEqual(['TK-77']);
    expect(await find('TK*')).toEqual(refs.slice().sort());
    const bad = await stack.http('GET', '/v1/remediations?ticketRef=TK%25*');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('ticketRef');
    await pg.query('SET enable_seqscan = off');
    const plan = (await pg.query(`EXPLAIN SELECT id FROM remediations WHERE ticket_ref LIKE 'TK-77%' ESCAPE '\\'`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('ix_remediations_ticket_ref_prefix');
  });
});
