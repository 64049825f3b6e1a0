import { LICENSING_MODES, OUTCOMES, REMEDIATION_STATES, ROLES, SOURCES, STEPS, STRATEGIES, SYMPTOMS } from '@rdpfix/domain';
import { anyJson, arr, bool, counts, date, int, nenum, ndate, nint, nstr, nuuid, obj, ref, Schema, senum, str, uuid } from './schema-helpers';

/**
 * The response schemas of the API (components.schemas), written as OpenAPI 3.1 JSON Schema. They
 * describe what the views (remediationSummaryView, campaignView, apiKeyView, ...) write; the
 * OpenAPI test validates real answers against them, so a view that drifts fails a test.
 */
const fieldError = obj({ field: str('A body field (dotted path), a query parameter, `id`, or a header name.'), message: str() });

const ErrorBody = obj(
  {
    statusCode: int('The HTTP status, repeated.'),
    error: str('A stable snake_case code for programs: validation_failed, unauthorized, forbidden, not_found, instance_not_in_region, invalid_state, not_reversible, restart_in_progress, verification_in_progress, active_remediation_exists, already_rolled_back, idempotency_key_reused, rate_limited, too_many_auth_failures, too_many_streams, inventory_unavailable, service_unavailable, ...', { pattern: '^[a-z][a-z0-9_]*$' }),
    message: str('One sentence for people.'),
    fields: arr(fieldError, 'Each invalid field, one message per field.'),
    activeRemediationId: uuid('409 active_remediation_exists: the active remediation of the instance.'),
    rollbackId: uuid('409 already_rolled_back: the rollback.'),
    state: str('409 invalid_state / not_reversible / restart_in_progress / verification_in_progress: the remediation\'s state.'),
    checks: obj({ status: str('error'), info: anyJson('The checks that are up.'), error: anyJson('The checks that are down, with why.'), details: anyJson('Every check.') }, '503 not_ready (/health/ready): the readiness checks.', { open: true, optional: ['info', 'error', 'details'] }),
  },
  'THE error shape: every 4xx and 5xx answer of this API, whatever produced it.',
  { optional: ['fields', 'activeRemediationId', 'rollbackId', 'state', 'checks'] },
);

const actor = { type: ['object', 'null'], description: 'Who did it: the API key, its role and the source.', properties: { keyId: nstr(), role: str(), source: str() } };

const remediationLinks = obj({ self: str(), cancel: str(), approve: str(), events: str(), rollback: str() });

const remediationProps: Record<string, Schema> = {
  id: uuid(),
  instanceId: str(undefined, { examples: ['i-0abc123def4567890'] }),
  region: str(undefined, { examples: ['eu-west-1'] }),
  tenantId: nstr('The tenant that owned the instance when the remediation was made or prechecked.'),
  mode: senum(['diagnose', 'fix', 'rollback']),
  rollbackOf: nuuid('For mode rollback: the remediation rolled back.'),
  strategy: senum(STRATEGIES),
  licenseServer: nstr(),
  licensingMode: nenum(LICENSING_MODES),
  allowReboot: bool(),
  symptom: nenum(SYMPTOMS),
  symptomAccount: nstr(),
  removeRoleDespiteLicensing: bool(),
  source: senum(SOURCES),
  ticketRef: nstr(),
  state: senum(REMEDIATION_STATES),
  step: senum(STEPS),
  outcome: nenum(OUTCOMES),
  reason: nstr('The outcome\'s machine reason (refusal or failure reason), e.g. domain_controller, agent_offline.'),
  reasonDetail: nstr('The reason in one sentence.'),
  cancelRequested: bool(),
  rebooted: bool(),
  approvalExpiresAt: ndate('While awaiting_approval: approve before this time.'),
  deadlineAt: date(),
  createdAt: date(),
  updatedAt: date(),
  finishedAt: ndate(),
  links: remediationLinks,
};

const Remediation = obj(remediationProps, 'A remediation (list items and the answers of create, cancel, approve and rollback).');

const TimelineEvent = obj(
  {
    id: str('The event id (a decimal number, increasing); also the SSE id.', { pattern: '^[0-9]+$' }),
    at: date(),
    type: str('created, started, step_started, command_requested, command_sent, command_finished, diagnosed, planned, approval_required, approved, change_applied, applied, reboot_scheduled, agent_back, verify_retry, cancel_requested, rollback_requested, requeued, finished, ...'),
    step: nstr(),
    message: str('What happened, in English.'),
    data: { type: ['object', 'null'], description: 'Structured details of the event.' },
    actor,
  },
  'One timeline event.',
);

const CommandRun = obj(
  {
    id: uuid(),
    step: str(),
    purpose: str(),
    attempt: int(),
    script: obj({ name: str(), version: int(), sha256: str() }),
    parameters: anyJson('The script\'s parameters (data only; never credentials).'),
    channel: str('ssm or jdcloud.'),
    commandId: nstr('The provider\'s command id.'),
    status: str('requested, sending, pending, running, succeeded, failed, timed_out, undelivered, cancelled, rejected.'),
    providerStatus: nstr(),
    providerStatusDetails: nstr(),
    exitCode: nint(),
    requestedAt: date(),
    sentAt: ndate(),
    startedAt: ndate(),
    finishedAt: ndate(),
    durationMs: nint(),
    polls: int(),
    outputExcerpt: nstr(),
    errorExcerpt: nstr(),
    truncated: { type: ['boolean', 'null'] },
    result: anyJson('The parsed JSON result line of the script.'),
    error: nstr(),
  },
  'One command sent through the channel.',
);

const WebhookDelivery = obj(
  {
    id: uuid(),
    eventType: str(),
    target: nstr('The callback URL\'s origin only.'),
    status: str('pending, delivered, failed.'),
    attemptCount: int(),
    nextAttemptAt: ndate(),
    lastStatusCode: nint(),
    lastError: nstr(),
    createdAt: date(),
    deliveredAt: ndate(),
    payload: anyJson('The signed body (see the webhooks of this document).'),
    attempts: arr(obj({ attempt: int(), at: date(), statusCode: nint(), error: nstr(), durationMs: nint() })),
  },
  'A webhook delivery with every attempt.',
);

const RemediationDetail = obj(
  {
    ...remediationProps,
    diagnosis: { type: ['object', 'null'], description: 'The diagnosis facts (each fact may be `unknown`).' },
    plan: { type: ['object', 'null'], description: 'The plan: `decision` act / refuse / nothing, the causes, the actions, `left`.' },
    changes: arr({ type: 'object', description: 'A recorded change: the value before and after (rollback data when `reversible`).' }),
    verification: { type: ['object', 'null'] },
    commands: arr(ref('CommandRun')),
    timeline: arr(ref('TimelineEvent')),
    summary: str('A paragraph to paste into a ticket, in the language of Accept-Language.'),
    preview: { type: ['array', 'null'], items: { type: 'string' }, description: 'What a fix would change, in plain words (diagnose runs and plans).' },
    webhooks: arr(ref('WebhookDelivery')),
  },
  'A remediation with diagnosis facts, plan, changes, commands, timeline, summary and webhooks.',
);

const RemediationList = obj({ items: arr(ref('Remediation')), nextCursor: nstr('Pass as `cursor` for the next page; null on the last.') });

const StreamToken = obj(
  {
    token: str('Send as `?token=` on GET /v1/remediations/{id}/events (EventSource cannot send headers). Valid for this remediation only.'),
    expiresAt: date(),
    remediationId: uuid(),
    events: str('The events URL with the token, ready for `new EventSource(url)`.'),
  },
  'A short-lived token for one remediation\'s event stream.',
);

const apiKeyProps: Record<string, Schema> = {
  id: uuid(),
  name: str(),
  role: senum(ROLES),
  tenantId: nstr(),
  prefix: str('Names the key; shown in listings.'),
  defaultCallbackUrl: nstr(),
  rateLimitPerSecond: nint(),
  createdAt: date(),
  revokedAt: ndate(),
  lastUsedAt: ndate(),
};
const ApiKey = obj(apiKeyProps, 'An API key, without secrets.');
const ApiKeyCreated = obj({ ...apiKeyProps, key: str('The key, shown only in this answer.'), webhookSecret: str('The key\'s webhook signing secret (whsec_…), shown only in this answer.') });
const ApiKeyList = obj({ items: arr(ref('ApiKey')) });

const Health = obj({ status: str(undefined, { examples: ['ok'] }) }, undefined, { open: true });

const rateSpec = obj({ spec: { type: ['string', 'integer'] }, value: int() }, undefined, { open: true });
const campaignProps: Record<string, Schema> = {
  id: uuid(),
  name: nstr(),
  parentId: nuuid('For a retry: the parent campaign.'),
  state: str('created, running, paused, stopping, stopped, cancelling, cancelled, completed.'),
  mode: senum(['diagnose', 'fix']),
  strategy: nstr(),
  allowReboot: bool(),
  licenseServer: nstr(),
  licensingMode: nstr(),
  tenantId: nstr(),
  targetSource: { type: 'object', description: 'Where the targets came from: a list, a file or an inventory filter.' },
  createdAt: date(),
  startedAt: ndate(),
  finishedAt: ndate(),
  targets: obj({ input: int(), eligible: int(), excluded: int(), regions: { type: 'array', items: { type: 'string' }, description: 'The regions of its targets that the inventory did not rule out (frozen at creation).' } }, undefined, { open: true }),
  counts: counts('Targets by state: pending, running, parked, approved, done, excluded.'),
  outcomes: counts('Targets by outcome.'),
  rateControl: obj({ maxConcurrency: rateSpec, maxErrors: rateSpec, maxUnreachable: rateSpec }, undefined, { open: true }),
  budget: obj({ failures: int(), maxErrors: int(), unreachable: int(), maxUnreachable: int(), stop: { type: ['object', 'null'] } }),
  links: { type: 'object', additionalProperties: { type: 'string' } },
};
const Campaign = obj(campaignProps, 'A campaign.');
const RegionCallBudget = obj(
  {
    channel: senum(['ssm', 'jdcloud']),
    limit: { type: 'number', description: 'CHANNEL_CALLS_PER_SECOND: calls per second the region\'s budget grants at most (shared by every worker).' },
    effective: { type: ['number', 'null'], description: 'Calls per second granted now: halved on each provider throttling (at most once a second), growing back by 1 % of the limit per granted call. null: Redis could not be read.' },
  },
  'The shared channel call budget of one region.',
);
const CampaignProgress = obj(
  {
    ...campaignProps,
    progress: { type: 'object', description: 'Rate over 1 and 5 minutes, ETA, remaining, the oldest targets in flight.' },
    callBudget: { type: 'object', description: 'By region: the channel call budget of the regions of its targets (targets.regions; at most 20).', additionalProperties: RegionCallBudget },
    webhooks: arr(ref('WebhookDelivery')),
  },
  'A campaign with live progress.',
);
const CampaignList = obj({ items: arr(ref('Campaign')), nextCursor: nstr() });
const CampaignCreation = obj(
  {
    preview: bool(),
    targets: { type: 'object', description: 'input, eligible, excluded, excludedByReason, and regions (those of the targets the inventory did not rule out).' },
    rateControl: { type: 'object', description: 'The absolute numbers of the rate control (waves, stop points).' },
    exclusions: arr({ type: 'object', properties: { instanceId: str(), region: nstr(), reason: str() } }),
    exclusionsShown: int(),
    sample: arr({ type: 'object' }, 'Preview only.'),
  },
  'The answer of a campaign creation (with the campaign\'s fields when created) or a preview.',
  { open: true, optional: ['sample'] },
);
const CampaignCancel = obj({ ...campaignProps, cancel: { type: 'object', description: 'Per target in flight: what was stopped and what was not.' } });
const CampaignApproval = obj({ ...campaignProps, approved: int('Targets approved.') });
const CampaignCensus = obj({ id: uuid(), mode: str(), state: str(), census: { type: 'object' } });
const CampaignReportRow = obj({
  instanceId: str(),
  region: nstr(),
  wave: nint(),
  state: str(),
  outcome: nstr(),
  reason: nstr(),
  exitCode: nint(),
  attempts: nint(),
  startedAt: ndate(),
  finishedAt: ndate(),
  remediationId: nuuid(),
  outputTail: nstr(),
  outputTruncated: { type: ['boolean', 'null'] },
});

// ---- webhooks (request bodies rdpfix sends) ----
const RemediationWebhook = obj(
  {
    type: senum(['remediation.awaiting_approval', 'remediation.finished']),
    timestamp: date('When the event happened; the same on every retry.'),
    data: obj({
      id: uuid(),
      instanceId: str(),
      region: str(),
      state: senum(REMEDIATION_STATES),
      outcome: nenum(OUTCOMES),
      reason: nstr(),
      reasonDetail: nstr(),
      ticketRef: nstr(),
      approvalExpiresAt: ndate('For remediation.awaiting_approval: approve before this time.'),
      links: obj({ self: str(), events: str(), approve: str(), cancel: str() }),
    }),
  },
  'Signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) using the creating key\'s secret.',
);
const CampaignWebhook = obj(
  {
    type: senum(['campaign.started', 'campaign.wave_done', 'campaign.paused', 'campaign.stopped_on_errors', 'campaign.cancel_requested', 'campaign.done']),
    timestamp: date(),
    data: obj({
      id: uuid(),
      name: nstr(),
      mode: str(),
      state: str(),
      event: obj({ id: str(), message: str(), details: { type: 'object' } }),
      counts: counts('Targets by state.'),
      outcomes: counts('Targets by outcome.'),
      budget: obj({ failures: int(), maxErrors: int(), unreachable: int(), maxUnreachable: int() }),
      links: obj({ self: str(), report: str(), events: str() }),
    }),
  },
  'Signed like remediation webhooks, with the creating key\'s secret.',
);

// ---- Server-Sent Events: each message as {id?, event, data} ----
const sse = (event: string, data: Schema, description: string, withId = false): Schema =>
  obj({ ...(withId ? { id: str('The SSE id: resume with Last-Event-ID.') } : {}), event: { const: event }, data }, description);
const SseRemediationEvent = {
  description:
    'The messages of GET /v1/remediations/{id}/events, each shown as its SSE fields (`id:`, `event:`, `data:` one JSON line). Comment lines (`: heartbeat`) keep the connection alive and `retry:` sets the reconnect delay.',
  oneOf: [
    obj({ id: str('The timeline event id.'), event: str('The timeline event type (see TimelineEvent.type).'), data: ref('TimelineEvent') }, 'A timeline event.'),
    sse('end', obj({ id: uuid(), state: nstr(), outcome: nstr(), reason: nstr() }), 'The remediation has finished; the stream closes. Close the EventSource.'),
    sse('revoked', ref('ErrorBody'), 'The stream\'s API key (or token\'s key) was revoked; the stream closes. Do not reconnect.'),
    sse('reconnect', { type: 'object' }, 'The API is shutting down; reconnect (with Last-Event-ID) to another replica.'),
  ],
};
const SseCampaignEvent = {
  description: 'The messages of GET /v1/campaigns/{id}/events, each shown as its SSE fields.',
  oneOf: [
    obj({ id: str(), event: str('The campaign event type (started, wave_started, wave_done, paused, resumed, stopped_on_errors, cancel_requested, done, ...).'), data: obj({ id: str(), at: date(), type: str(), message: str(), data: { type: ['object', 'null'] } }) }, 'A campaign state change.'),
    sse('progress', ref('CampaignProgress'), 'A progress snapshot.'),
    sse('end', obj({ id: uuid(), state: nstr(), outcomes: { type: ['object', 'null'] } }), 'The campaign has ended; the stream closes.'),
    sse('revoked', ref('ErrorBody'), 'The stream\'s API key was revoked; the stream closes.'),
    sse('reconnect', { type: 'object' }, 'The API is shutting down; reconnect.'),
  ],
};

export const COMPONENT_SCHEMAS: Record<string, Schema> = {
  ErrorBody,
  Remediation,
  RemediationDetail,
  RemediationList,
  TimelineEvent,
  CommandRun,
  WebhookDelivery,
  StreamToken,
  ApiKey,
  ApiKeyCreated,
  ApiKeyList,
  Health,
  Campaign,
  CampaignProgress,
  CampaignList,
  CampaignCreation,
  CampaignCancel,
  CampaignApproval,
  CampaignCensus,
  CampaignReportRow,
  RemediationWebhook,
  CampaignWebhook,
  SseRemediationEvent,
  SseCampaignEvent,
};
