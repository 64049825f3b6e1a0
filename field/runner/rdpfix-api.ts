/** The rdpfix API as a field test drives it: submit, wait, approve, roll back. */
export type Json = Record<string, any>;

export class RdpfixApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  async submit(body: Json): Promise<Json> {
    const r = await this.call('POST', '/v1/remediations', body);
    if (r.status !== 202) throw new Error(`POST /v1/remediations ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async rollback(id: string): Promise<Json> {
    const r = await this.call('POST', `/v1/remediations/${id}/rollback`);
    if (r.status !== 202) throw new Error(`rollback ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async get(id: string): Promise<Json> {
    return (await this.call('GET', `/v1/remediations/${id}`)).body;
  }

  /** Polls until the remediation is finished (or parked when `orParked`), within `waitS`. */
  async waitFor(id: string, waitS: number, orParked = false): Promise<Json> {
    const until = Date.now() + waitS * 1000;
    let r: Json = {};
    while (Date.now() < until) {
      r = await this.get(id);
      if (r.state === 'finished' || (orParked && r.state === 'awaiting_approval')) return r;
      await this.sleep(5000);
    }
    throw new Error(`remediation ${id} still ${r.state}/${r.step} after ${waitS} s`);
  }
}
