import { AppConfig, parseChannelMap, parseEndpointMap } from '@rdpfix/config';
import { awsStaticCredentials } from '../aws/aws-client-options';
import { ChannelBudget } from '../channel-budget';
import { CommandChannel } from '../command-channel.port';
import { JdcloudCommandChannel } from '../jdcloud/jdcloud-command-channel';
import { credentialProvider } from '../jdcloud/jdcloud-credentials';
import { SsmCommandChannel } from '../ssm/ssm-command-channel';
import { RoutingCommandChannel } from './routing-command-channel';

/** Which adapters the configuration uses: CHANNEL and every value of CHANNEL_BY_REGION. */
export function channelsInUse(c: AppConfig): Set<string> {
  const map = c.CHANNEL_BY_REGION ? parseChannelMap(c.CHANNEL_BY_REGION) : {};
  return new Set([c.CHANNEL, ...Object.values(map)]);
}

export function buildSsmChannel(c: AppConfig, budget?: ChannelBudget): SsmCommandChannel {
  const map = c.CHANNEL_ENDPOINTS ? parseEndpointMap(c.CHANNEL_ENDPOINTS) : {};
  return new SsmCommandChannel({
    // No CHANNEL_ENDPOINT(S) entry: undefined, i.e. the SDK's real regional endpoint.
    endpointFor: (region) => map[region] ?? c.CHANNEL_ENDPOINT,
    credentials: awsStaticCredentials(c),
    connectTimeoutMs: c.CHANNEL_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: c.CHANNEL_REQUEST_TIMEOUT_MS,
    maxAttempts: c.CHANNEL_MAX_ATTEMPTS,
    budget,
  });
}

export function buildJdcloudChannel(c: AppConfig, budget?: ChannelBudget): JdcloudCommandChannel {
  const map = c.JDCLOUD_ENDPOINTS ? parseEndpointMap(c.JDCLOUD_ENDPOINTS, 'JDCLOUD_ENDPOINTS') : {};
  return new JdcloudCommandChannel({
    endpointFor: (region) => map[region] ?? c.JDCLOUD_ENDPOINT,
    vmEndpointFor: () => c.JDCLOUD_VM_ENDPOINT,
    credentials: credentialProvider({ accessKeyId: c.JDCLOUD_ACCESS_KEY_ID, secretAccessKey: c.JDCLOUD_SECRET_ACCESS_KEY, file: c.JDCLOUD_CREDENTIALS_FILE }),
    connectTimeoutMs: c.JDCLOUD_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: c.JDCLOUD_REQUEST_TIMEOUT_MS,
    maxAttempts: c.CHANNEL_MAX_ATTEMPTS,
    maxScriptBytes: c.JDCLOUD_MAX_SCRIPT_BYTES,
    deleteDelayS: c.JDCLOUD_DELETE_DELAY_S,
    budget,
  });
}

/**
 * The CommandChannel the configuration asks for: the bare adapter when one channel serves every
 * region (its name is then recorded as is), a RoutingCommandChannel when regions are mixed.
 * Only adapters in use are built, so an SSM-only deployment needs no JD credentials.
 */
export function channelFromConfig(c: AppConfig, budget?: ChannelBudget): CommandChannel {
  const used = channelsInUse(c);
  const built = new Map<string, CommandChannel>();
  if (used.has('ssm')) built.set('ssm', buildSsmChannel(c, budget));
  if (used.has('jdcloud')) built.set('jdcloud', buildJdcloudChannel(c, budget));
  if (built.size === 1) return built.get(c.CHANNEL)!;
  return new RoutingCommandChannel(built, c.CHANNEL, c.CHANNEL_BY_REGION ? parseChannelMap(c.CHANNEL_BY_REGION) : {});
}
