import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { COMPONENT_SCHEMAS } from './schemas';
import { ref, Schema } from './schema-helpers';

type Operation = { parameters?: Parameter[]; responses: Record<string, Response>; security?: Record<string, string[]>[] };
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Response = { description: string; content?: Record<string, { schema?: Schema; example?: unknown; examples?: unknown }> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * The OpenAPI 3.1 document of the API. Nest's generator writes the routes from the decorators;
 * this then completes what it cannot express: the response and error schemas (one ErrorBody for
 * every 4xx/5xx), webhooks (OpenAPI 3.1 `webhooks`), header parameters named twice (a @Headers()
 * argument next to its @ApiHeader) and generated header parameters marked required.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('rdpfix')
    .setDescription(
      'Repairs Windows servers that refuse RDP with "no Remote Desktop license servers available" through the guest-agent command channel. ' +
        'Every error is one JSON shape (ErrorBody). Webhooks are described under `webhooks`; Server-Sent Event messages under the SseRemediationEvent and SseCampaignEvent schemas.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'rdpfix_<prefix>_<secret>',
      description: 'An rdpfix API key (rdpfix_<12 characters>_<43 characters>). Roles: admin, support, console (one tenant), fleet. Never sent in a URL.',
    })
    .addSecurity('streamToken', {
      type: 'apiKey',
      in: 'query',
      name: 'token',
      description: 'A stream token from POST /v1/remediations/{id}/stream-token: one remediation\'s event stream only, short-lived. For browsers\' EventSource, which cannot send headers.',
    })
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config));
}

export function completeDocument(doc: OpenAPIObject): OpenAPIObject {
  doc.components = { ...doc.components, schemas: { ...(doc.components?.schemas ?? {}), ...(COMPONENT_SCHEMAS as Record<string, object>) } };
  for (const item of Object.values(doc.paths)) {
    for (const m of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[m];
      if (!op) continue;
      op.parameters = dedupeParameters(op.parameters ?? []);
      completeErrors(op);
    }
  }
  (doc as OpenAPIObject & { webhooks: unknown }).webhooks = WEBHOOKS;
  return toOpenApi31(doc) as OpenAPIObject;
}

/**
 * One parameter per (in, name), names of headers compared case-insensitively; the documented one
 * (with a description) wins. HTTP headers other than Authorization are never required here.
 */
function dedupeParameters(params: Parameter[]): Parameter[] {
  const byKey = new Map<string, Parameter>();
  for (const p of params) {
    const key = `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
    const seen = byKey.get(key);
    if (!seen || (!seen.description && p.description)) byKey.set(key, p);
  }
  return [...byKey.values()].map((p) => (p.in === 'header' ? { ...p, required: false } : p));
}

const STANDARD_ERRORS: Record<string, string> = {
  '400': 'A parameter or the body is malformed; `fields` names each bad one. Nothing was written.',
  '401': 'No or invalid API key.',
  '403': 'The key\'s role may not do this.',
  '429': 'Rate limit of the key exceeded, or too many failed authentications from this address (`too_many_auth_failures`); see Retry-After.',
  '503': 'PostgreSQL, Redis or the cloud inventory is not reachable right now; see Retry-After.',
};

/**
 * Every error answer carries the one ErrorBody schema; secured operations list the auth errors.
 * A public operation that declares its own error body (a health check's 503 names what is down)
 * keeps it.
 */
function completeErrors(op: Operation): void {
  const secured = (op.security ?? []).length > 0;
  if (secured) for (const code of ['400', '401', '403', '429', '503']) op.responses[code] ??= { description: STANDARD_ERRORS[code] };
  for (const [code, r] of Object.entries(op.responses)) {
    if (!/^[45]/.test(code)) continue;
    const declared = r.content?.['application/json']?.schema as (Schema & { example?: unknown }) | undefined;
    if (!secured && declared && ('$ref' in declared || 'type' in declared)) continue;
    const example = r.content?.['application/json']?.example ?? declared?.example;
    r.content = { 'application/json': { schema: ref('ErrorBody'), ...(example !== undefined ? { example } : {}) } };
  }
}

const webhook = (summary: string, schema: string) => ({
  post: {
    summary,
    description: 'Sent to the remediation\'s `callbackUrl` (or the key\'s default). Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature (HMAC-SHA256 with the creating key\'s secret). Retried on any non-2xx answer for at least 24 h.',
    requestBody: { required: true, content: { 'application/json': { schema: ref(schema) } } },
    responses: { '200': { description: 'Received. Any 2xx counts; anything else is retried.' } },
  },
});

const WEBHOOKS = {
  'remediation.awaiting_approval': webhook('A remediation needs approval before it changes anything', 'RemediationWebhook'),
  'remediation.finished': webhook('A remediation has finished (any outcome)', 'RemediationWebhook'),
  ...Object.fromEntries(
    ['campaign.started', 'campaign.wave_done', 'campaign.paused', 'campaign.stopped_on_errors', 'campaign.cancel_requested', 'campaign.done'].map((t) => [t, webhook(`Campaign state change: ${t}`, 'CampaignWebhook')]),
  ),
};

/** OpenAPI 3.0 leftovers of the generator (`nullable: true`) written the 3.1 way. */
function toOpenApi31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi31);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toOpenApi31(v);
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    delete out.nullable;
  }
  return out;
}
