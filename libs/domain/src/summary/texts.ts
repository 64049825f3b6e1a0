import { Cause, PlanAction, RefusalReason } from '../plan';
import { FailureReason } from '../remediation-state';
import { Lang } from './lang';

/** Plain-language strings for people. zh uses the cloud help-article vocabulary (seed article). */

export const CAUSE_TEXT: Record<Cause, Record<Lang, string>> = {
  single_session: {
    en: 'each user is restricted to a single session ("Restrict each user to a single session" is on) and this blocks a logon: a second logon with the same account is refused or takes over its active session',
    zh: '终端服务配置 RDP-Tcp 开启了“限制每个用户只能进行一个会话”，并且它确实阻止了登录：同一账号已有活动会话，第二次登录会被拒绝或挤掉已有会话',
  },
  licensing_lockout: {
    en: 'the Remote Desktop Session Host role is installed, its 120-day licensing grace period is over, and no usable Remote Desktop licensing (license server and licensing mode) is configured',
    zh: '系统安装了远程桌面会话主机角色，120 天授权宽限期已过，且没有配置可用的远程桌面授权（授权服务器和授权模式）',
  },
};

export function causesText(causes: readonly Cause[], lang: Lang): string {
  const parts = causes.map((c) => CAUSE_TEXT[c][lang]);
  return lang === 'zh' ? parts.join('；并且') : parts.join('; and ');
}

const MODE_TEXT = {
  'per-user': { en: 'Per User', zh: '每用户' },
  'per-device': { en: 'Per Device', zh: '每设备' },
} as const;

/** What an action does, as a future ("would") or a past ("did") statement. */
export function actionText(a: PlanAction, lang: Lang, tense: 'would' | 'did'): string {
  switch (a.kind) {
    case 'allow-multiple-sessions':
      if (lang === 'zh') {
        return tense === 'would'
          ? '将“限制每个用户只能进行一个会话”设置为否（fSingleSessionPerUser = 0），同一账号可以再次登录，不会被拒绝或挤掉已有会话，无需重启'
          : '已将“限制每个用户只能进行一个会话”设置为否（fSingleSessionPerUser = 0）';
      }
      return tense === 'would'
        ? 'turn off "Restrict each user to a single session" (fSingleSessionPerUser = 0), so the same account can log on again without being refused or taking over its other session; no restart is needed'
        : 'turned off "Restrict each user to a single session" (fSingleSessionPerUser = 0)';
    case 'remove-rdsh-role':
      if (lang === 'zh') {
        return tense === 'would'
          ? '将删除远程桌面会话主机角色并重启服务器。服务器会恢复 Windows 服务器默认提供的两个免费远程桌面管理连接；如需更多并发连接，需要重新购买和配置远程桌面授权'
          : '已删除远程桌面会话主机角色，服务器恢复为默认的两个免费远程桌面管理连接';
      }
      return tense === 'would'
        ? 'remove the Remote Desktop Session Host role and restart the server. This returns the server to the two free administrator sessions every Windows Server includes; more than two people at once would need Remote Desktop licensing again'
        : 'removed the Remote Desktop Session Host role, returning the server to the two free administrator sessions';
    case 'configure-licensing': {
      const m = MODE_TEXT[a.licensingMode][lang];
      if (lang === 'zh') {
        return tense === 'would'
          ? `将远程桌面授权模式设置为“${m}”，并指定授权服务器 ${a.licenseServer}。该授权服务器必须已激活并安装了对应类型和版本的 RDS 客户端访问许可证（CAL）；不计划重启`
          : `已将远程桌面授权模式设置为“${m}”，并指定授权服务器 ${a.licenseServer}`;
      }
      return tense === 'would'
        ? `set Remote Desktop licensing to ${m} and use the license server ${a.licenseServer}. That license server must be activated and hold RDS CALs of this type and of this Windows version or newer; no restart is planned`
        : `set Remote Desktop licensing to ${m} with the license server ${a.licenseServer}`;
    }
  }
}

export const REFUSAL_TEXT: Record<RefusalReason, Record<Lang, string>> = {
  domain_controller: {
    en: 'This server is a domain controller. Removing a role from it or restarting it affects the whole domain, so rdpfix does not change domain controllers; an administrator must fix it by hand.',
    zh: '该服务器是域控制器。在域控制器上删除角色或重启会影响整个域，rdpfix 不会自动修改域控制器，需要管理员手动处理。',
  },
  rds_deployment: {
    en: 'This server is part of a Remote Desktop Services deployment (Connection Broker, Web Access, Gateway, an activated license server holding CAL packs, or a session directory). Removing the Session Host role would break that deployment, and licensing must be set on the Connection Broker.',
    zh: '该服务器属于远程桌面服务（RDS）部署（连接代理、Web 访问、网关、已激活并装有 CAL 许可证包的授权服务器，或会话目录）。删除远程桌面会话主机角色会破坏该部署，远程桌面授权需要在连接代理上配置。',
  },
  group_policy: {
    en: 'The setting that would have to change is enforced by Group Policy; a local change would be overridden. Change it in the Group Policy instead.',
    zh: '需要修改的设置由组策略控制，本地修改会被组策略覆盖，请在组策略中修改。',
  },
  missing_license_input: {
    en: 'Configuring licensing needs your license server and the CAL type (per user or per device); rdpfix never guesses them. Provide both, or choose to remove the Session Host role instead.',
    zh: '配置远程桌面授权需要提供授权服务器地址和授权类型（每用户或每设备），rdpfix 不会猜测。请提供这两项，或改为删除远程桌面会话主机角色。',
  },
  per_user_on_workgroup: {
    en: 'Per User licensing was requested, but the server is not joined to a domain. A workgroup Session Host must use Per Device licensing.',
    zh: '请求了“每用户”授权模式，但该服务器未加入域（工作组）。工作组中的远程桌面会话主机只能使用“每设备”授权。',
  },
  pending_reboot: {
    en: 'A restart is already pending on the server. Restart it first, then run rdpfix again, so that changes are not stacked on an unfinished one.',
    zh: '服务器上已有等待中的重启。请先重启服务器，再重新运行 rdpfix，避免在未完成的变更上叠加新的变更。',
  },
  license_server_unreachable: {
    en: 'Remote Desktop licensing is configured on this server (a licensing mode and a license server), but no license server answers as valid. That is a license server problem (the server, its activation or CALs, or the network to it), so rdpfix does not remove the Session Host role. Fix the license server, or configure a working one.',
    zh: '该服务器已配置远程桌面授权（授权模式和授权服务器），但没有任何授权服务器返回“有效”状态。这是授权服务器本身的问题（服务器、激活、CAL 或网络连通性），rdpfix 不会删除远程桌面会话主机角色。请修复授权服务器，或配置一台可用的授权服务器。',
  },
  licensing_configured: {
    en: 'Remote Desktop licensing is configured on this server but cannot issue licenses as configured. rdpfix does not remove the Session Host role from a server whose licensing is configured; correct the licensing configuration instead.',
    zh: '该服务器已配置远程桌面授权，但按当前配置无法颁发许可证。对于已配置授权的服务器，rdpfix 不会删除远程桌面会话主机角色，请改正授权配置。',
  },
  facts_incomplete: {
    en: 'Some facts the fix depends on could not be read on the server (see the details), and rdpfix does not change a server on guesses. Run the check again; if it keeps failing, check WMI on the server from the VNC console.',
    zh: '修复所依赖的部分信息无法在服务器上读取（见技术说明），rdpfix 不会凭猜测修改服务器。请重新运行检查；如果仍然失败，请通过 VNC 登录服务器检查 WMI 服务。',
  },
  plan_changed: {
    en: 'The server changed between the approval and the fix, so the approved plan no longer fits. Nothing was changed; start a new check.',
    zh: '从批准到执行修复期间服务器状态发生了变化，已批准的计划不再适用。未做任何修改，请重新发起检查。',
  },
  not_a_licensing_problem: {
    en: 'Remote Desktop is broken for a reason rdpfix does not repair (remote connections turned off, the Remote Desktop Services service stopped, the RDP listener not running, or the Windows Firewall blocking the RDP port).',
    zh: '远程桌面因 rdpfix 修复范围以外的原因无法使用（远程连接被禁用、远程桌面服务 TermService 已停止、RDP 监听未运行，或 Windows 防火墙阻止了 RDP 端口）。',
  },
};

const VNC_EN = "Log in through the cloud console's VNC remote connection";
const VNC_ZH = '请使用控制台远程连接 VNC 功能登录到 Windows 云主机';

export const FAILURE_TEXT: Record<FailureReason, Record<Lang, string>> = {
  agent_offline: {
    en: `The cloud guest agent on the server is offline, so rdpfix could not reach it. ${VNC_EN}, make sure the server is running and its cloud agent service is started, then try again (or fix the problem by hand from the VNC console).`,
    zh: `实例上的云助手（guest agent）不在线，rdpfix 无法连接到服务器。${VNC_ZH}，确认服务器正常运行且云助手服务已启动后重试，或在 VNC 中手动处理。`,
  },
  instance_not_found: {
    en: 'The cloud inventory has no such instance in that region, so nothing was sent to it. Check the instance id and region.',
    zh: '云平台资源清单中没有该地域下的此实例，rdpfix 未向其发送任何命令。请检查实例 ID 和地域。',
  },
  command_failed: {
    en: 'A script run by rdpfix failed on the server.',
    zh: 'rdpfix 在服务器上执行的脚本运行失败。',
  },
  command_timed_out: {
    en: 'A command on the server did not finish in time.',
    zh: '服务器上的命令未在规定时间内完成。',
  },
  role_removal_unfinished: {
    en: 'Removing the Remote Desktop Session Host role did not finish within its time limit, and the role does not yet read as "removed, waiting for a restart". Windows may still be completing the removal in the background; if so, it takes effect at the next restart, which rdpfix did not make. Run a diagnosis again later.',
    zh: '删除远程桌面会话主机角色未在时限内完成，角色状态也尚未显示为“已删除、等待重启”。Windows 可能仍在后台完成删除；如果是这样，删除将在下次重启后生效，rdpfix 没有重启服务器。请稍后重新运行诊断。',
  },
  command_undelivered: {
    en: `The command could not be delivered to the server's cloud agent. ${VNC_EN} to check the agent.`,
    zh: `命令无法送达服务器上的云助手。${VNC_ZH}，检查云助手状态。`,
  },
  send_outcome_unknown: {
    en: 'rdpfix cannot tell whether a change reached the server: the answer to its send was lost and the command never appeared in the cloud command service within its delivery timeout. It was not sent again, so it ran at most once, but it may have run. Run a diagnosis to see the server\'s current state before trying again.',
    zh: 'rdpfix 无法确定一项修改是否已送达服务器：发送命令的应答丢失，且在投递超时内云命令通道中一直查不到该命令。该命令没有被再次发送（最多执行一次），但可能已经执行。请先重新运行诊断查看服务器当前状态，再决定是否重试。',
  },
  verification_failed: {
    en: 'The change was made, but the final check could not verify the expected configuration (see the details).',
    zh: '修改已执行，但最终检查未能确认服务器配置符合预期（见技术说明）。',
  },
  unsupported_os: {
    en: 'The server does not run a supported Windows Server release (2008 to 2025), or the requested fix is not available on it.',
    zh: '服务器的操作系统不是受支持的 Windows Server 版本（2008 至 2025），或该版本不支持所请求的修复方式。',
  },
  channel_error: {
    en: 'The cloud command service returned an error.',
    zh: '云平台的命令通道返回了错误。',
  },
  bad_output: {
    en: 'The result of a script on the server could not be read.',
    zh: '无法读取服务器上脚本的执行结果。',
  },
  reboot_not_observed: {
    en: `The server was asked to restart, but rdpfix did not see it come back with a new boot time in time. ${VNC_EN} to check its state.`,
    zh: `已请求重启服务器，但 rdpfix 未在规定时间内确认服务器重启完成。${VNC_ZH}，检查服务器状态。`,
  },
  approval_expired: {
    en: 'The fix needed a restart, and the approval for the change and the restart was not given in time. Nothing was changed on the server.',
    zh: '修复需要重启服务器，但未在规定时间内获得对修改和重启的批准。服务器上未做任何修改。',
  },
  deadline_exceeded: {
    en: 'The remediation did not finish within its overall time limit.',
    zh: '修复未能在总时限内完成。',
  },
  internal_error: {
    en: 'rdpfix hit an internal error.',
    zh: 'rdpfix 内部发生错误。',
  },
};

export function isRefusalReason(r: string | null | undefined): r is RefusalReason {
  return typeof r === 'string' && Object.prototype.hasOwnProperty.call(REFUSAL_TEXT, r);
}

export function isFailureReason(r: string | null | undefined): r is FailureReason {
  return typeof r === 'string' && Object.prototype.hasOwnProperty.call(FAILURE_TEXT, r);
}
