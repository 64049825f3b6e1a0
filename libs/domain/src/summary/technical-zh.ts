/**
 * The planner's technical lines (notes and refusal details, written in English with exact setting
 * names) in Chinese for zh readers, in the vocabulary of the cloud help articles: 远程桌面会话主机,
 * 远程桌面授权, 授权服务器, 宽限期, 组策略, 实例. Setting, registry and WMI names stay as they are
 * (support engineers search for them). A line no rule knows is shown in English, labelled so.
 */
type Rule = [RegExp, (m: RegExpMatchArray) => string];

const PURPOSE_ZH: Record<string, string> = {
  'Every change': '任何修改',
  'Allowing several sessions per user': '允许同一用户多个会话',
  'Removing the RD Session Host role': '删除远程桌面会话主机角色',
  'Configuring licensing': '配置远程桌面授权',
};

const MODE_ZH = (s: string) => s.replace(/Per User/g, '每用户').replace(/Per Device/g, '每设备');

/** Names of the diagnosis reads, of what a decision needs, and of license-server statuses (planner/facts texts). */
const LITERALS: [string, string][] = [
  // What a decision needs (planner `needs.need(..., what)`), longest first where one contains another.
  ['whether the pending restart is that of an earlier role removal', '待执行的重启是否来自之前的角色删除'],
  ['whether a role removal already waits for a restart', '是否已有角色删除在等待重启'],
  ['whether the server is joined to a domain (Per User needs a domain)', '服务器是否已加入域（每用户授权需要域）'],
  ['whether Group Policy controls fSingleSessionPerUser', '组策略是否控制 fSingleSessionPerUser'],
  ['whether Group Policy sets the licensing mode', '组策略是否设置了授权模式'],
  ['whether Group Policy sets the license servers', '组策略是否设置了授权服务器'],
  ['whether an RD Connection Broker is installed', '是否安装了远程桌面连接代理（RD Connection Broker）'],
  ['whether RD Web Access is installed', '是否安装了远程桌面 Web 访问（RD Web Access）'],
  ['whether an RD Gateway is installed', '是否安装了远程桌面网关（RD Gateway）'],
  ['whether a session directory is active', '会话目录是否启用'],
  ['whether the RD Licensing role is installed', '是否安装了远程桌面授权角色'],
  ['whether the local RD license server is activated', '本机远程桌面授权服务器是否已激活'],
  ['the CAL packs on the local RD license server', '本机远程桌面授权服务器上的 CAL 许可证包'],
  ['the Component Based Servicing RebootPending key', 'Component Based Servicing 的 RebootPending 注册表项'],
  ['the Windows Update RebootRequired key', 'Windows Update 的 RebootRequired 注册表项'],
  // The reads (facts.ts READ_TEXT).
  ['the Remote Desktop Services WMI settings (Win32_TerminalServiceSetting in root\\cimv2\\TerminalServices)', '远程桌面服务的 WMI 设置（root\\cimv2\\TerminalServices 中的 Win32_TerminalServiceSetting）'],
  ['the installed roles (Get-WindowsFeature / ServerManagerCmd)', '已安装的角色（Get-WindowsFeature / ServerManagerCmd）'],
  ['the licensing grace period (GetGracePeriodDays)', '授权宽限期（GetGracePeriodDays）'],
  ['the licensing mode (LicensingType)', '授权模式（LicensingType）'],
  ['which settings Group Policy controls', '哪些设置由组策略控制'],
  ['the single-session setting (fSingleSessionPerUser)', '单会话设置（fSingleSessionPerUser）'],
  ['the domain membership (Win32_ComputerSystem)', '域成员身份（Win32_ComputerSystem）'],
  ['whether the server is a domain controller', '服务器是否为域控制器'],
  ['the session directory state (Win32_TSSessionDirectory)', '会话目录状态（Win32_TSSessionDirectory）'],
  ['the local RD license server (Win32_TSLicenseServer, Win32_TSLicenseKeyPack)', '本机远程桌面授权服务器（Win32_TSLicenseServer、Win32_TSLicenseKeyPack）'],
  ['the pending-restart registry keys', '待重启相关的注册表项'],
  ["rdpfix's role-removal marker (HKLM\\SOFTWARE\\rdpfix)", 'rdpfix 的角色删除标记（HKLM\\SOFTWARE\\rdpfix）'],
  ['the Remote Desktop Services service (TermService)', '远程桌面服务（TermService）'],
  ['the RDP-Tcp listener', 'RDP-Tcp 监听器'],
  ['the Windows Firewall rules', 'Windows 防火墙规则'],
  ['whether Remote Desktop connections are allowed (fDenyTSConnections)', '是否允许远程桌面连接（fDenyTSConnections）'],
  ['the logged-on sessions (quser)', '已登录的会话（quser）'],
  ['the license server list', '授权服务器列表'],
  ['the licensing mode', '授权模式'],
  // License-server statuses (causes.ts LS_STATUS_MEANING): the code names stay.
  ['the status call failed, so reachability is unknown', '状态查询失败，无法确定是否可达'],
  ['validity unknown', '有效性未知'],
  ['beta and release versions do not match', '测试版与正式版不匹配'],
  ['the license server is older than this RD Session Host', '授权服务器版本低于本远程桌面会话主机'],
  ['this server is not in the license server\'s "Terminal Server Computers" group', '本服务器不在授权服务器的“Terminal Server Computers”组中'],
  ['not reachable (RPC port 135 and dynamic ports, name resolution, or the server is down)', '不可达（RPC 135 端口和动态端口、名称解析，或授权服务器已停机）'],
  ['reachable, validity unknown', '可达，有效性未知'],
  ['reachable, access denied (LocalSystem may get this from a healthy domain license server)', '可达，但拒绝访问（LocalSystem 从正常的域授权服务器也可能得到此结果）'],
  ['not supported', '不支持'],
  ['undocumented value', '未记录的值'],
  // Why configured licensing cannot issue CALs (planner problemText).
  ['Per User mode on a server that is not joined to a domain (a workgroup RD Session Host must use Per Device)', '服务器未加入域却使用每用户模式（工作组中的远程桌面会话主机必须使用每设备模式）'],
  ['no license server answers as valid', '没有一个授权服务器返回有效状态'],
  ['the licensing mode is not configured', '未配置授权模式'],
  ['no license server is configured', '未配置授权服务器'],
];

/** Fragments the planner puts inside its sentences (cause labels, the single-session "why"). */
const PHRASES: [RegExp, string][] = [
  [/the RD licensing lockout \(RD Session Host installed, grace period over, licensing not usable\)/g, '远程桌面授权问题（已安装远程桌面会话主机角色，宽限期已过，授权不可用）'],
  [/the single-session restriction \(fSingleSessionPerUser = 1\) blocking a logon/g, '阻止登录的单会话限制（fSingleSessionPerUser = 1）'],
  [/no account holds an active session, so the single-session restriction blocks nobody now/g, '当前没有账号持有活动会话，单会话限制暂时不会阻止任何人登录'],
  [/^no account holds an active session$/g, '当前没有账号持有活动会话'],
  [/each user may open several sessions \(fSingleSessionPerUser = 0\)/g, '每个用户可以打开多个会话（fSingleSessionPerUser = 0）'],
  [/the sessions could not be read, so rdpfix cannot tell whether the single-session restriction blocks a logon/g, '无法读取会话列表，rdpfix 无法判断单会话限制是否阻止登录'],
  [/more sessions exist than the diagnosis lists, and none of the listed ones is active/g, '会话数量超过诊断列出的数量，且列出的会话都不是活动会话'],
  [/^(.+) hold\(s\) an active session, but the single-session setting could not be read$/g, '$1 有活动会话，但无法读取单会话设置'],
  [/"Restrict each user to a single session" is on and (.+) hold\(s\) an active session, so a second logon of that account is refused or takes the session over/g, '“限制每个用户只能进行一个会话”已开启，且 $1 有活动会话，该账号的第二次登录会被拒绝或挤掉该会话'],
  [/ and (?=阻止登录|远程桌面授权问题)/g, '以及'],
  [/Win32_ComputerSystem\.DomainRole = (\S+) or ProductType LanmanNT/g, 'Win32_ComputerSystem.DomainRole = $1 或 ProductType LanmanNT'],
  // What else breaks RDP (outside what rdpfix repairs).
  [/Remote Desktop connections are turned off \(fDenyTSConnections = 1, set by Group Policy "Allow users to connect remotely…"\)/g, '远程桌面连接已被关闭（fDenyTSConnections = 1，由组策略“允许用户通过使用远程桌面服务进行远程连接”设置）'],
  [/Remote Desktop connections are turned off \(fDenyTSConnections = 1, set by the local setting\)/g, '远程桌面连接已被关闭（fDenyTSConnections = 1，本地设置）'],
  [/the Remote Desktop Services service \(TermService\) is stopped/g, '远程桌面服务（TermService）已停止'],
  [/the RDP-Tcp listener is not listening on port (\d+)/g, 'RDP-Tcp 监听器没有在 $1 端口监听'],
  [/the Windows Firewall is on and no enabled inbound rule allows TCP port (\d+) \(the "Remote Desktop" rules\)/g, 'Windows 防火墙已开启，且没有启用的入站规则允许 TCP $1 端口（“远程桌面”规则）'],
  [/licensingMode \(per-user or per-device\)/g, 'licensingMode（per-user 或 per-device）'],
  ...LITERALS.map(([en, zh]): [RegExp, string] => [new RegExp(en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), zh]),
  [/: Access denied/g, '：拒绝访问'],
];
const phrasesZh = (s: string) =>
  PHRASES.reduce((t, [re, zh]) => t.replace(re, zh), s)
    // A read list "X (Y); Z (W)" reads better with Chinese punctuation once its parts are Chinese.
    .replace(/([\u4e00-\u9fff）]) \(([^()]*[\u4e00-\u9fff][^()]*)\)/g, '$1（$2）')
    .replace(/([）\u4e00-\u9fff]); /g, '$1；');

const RULES: Rule[] = [
  [/^Could not be read: (.*)\.$/, (m) => `以下信息无法读取：${m[1]}。`],
  [/^Some diagnosis checks reported errors: (.*)\.$/, (m) => `部分诊断检查报告了错误：${m[1]}。`],
  [
    /^RD Session Host is installed and within its licensing grace period \((\d+) day\(s\) left\); licensing is configured\.$/,
    (m) => `已安装远程桌面会话主机角色，授权宽限期还剩 ${m[1]} 天；已配置远程桌面授权。`,
  ],
  [
    /^RD Session Host is installed and still within its licensing grace period: (\d+) day\(s\) left\./,
    (m) => `已安装远程桌面会话主机角色，仍在授权宽限期内：还剩 ${m[1]} 天。宽限期结束前可以正常登录；请在宽限期结束前配置远程桌面授权或删除该角色。`,
  ],
  [/^The licensing grace period counter is 0, which is normal when licensing is configured/, () => '授权宽限期计数为 0：已配置授权时这是正常现象（计数总会减到 0）。'],
  [/^License server status \(GetTStoLSConnectivityStatus\): (.*)\.$/, (m) => `授权服务器状态（GetTStoLSConnectivityStatus）：${m[1]}。`],
  [/^A removal of the RD Session Host role already ran and (?:only )?waits for a restart(.*)$/, (m) => `之前已执行过远程桌面会话主机角色的删除，正在等待重启${m[1].includes('only restart') ? '；rdpfix 不会再次删除，只会重启服务器。' : '。'}`],
  [/^Windows Server 2008 has no GetTStoLSConnectivityStatus/, () => 'Windows Server 2008 没有 GetTStoLSConnectivityStatus，无法检查授权服务器是否可达，因此以已配置的授权为准。'],
  [
    /^"Restrict each user to a single session" is on \(fSingleSessionPerUser = 1, the Windows default on 2008 R2 and later\)\. It is reported, not changed: (.*)\. If a second logon/,
    (m) => `“限制每个用户只能进行一个会话”已开启（fSingleSessionPerUser = 1，这是 2008 R2 及以后版本的 Windows 默认设置）。只报告，不修改：${m[1]}。如果同一账号第二次登录被拒绝，请带上 symptom "another-user-logged-on" 重新提交。`,
  ],
  [/^quser shows (.+) with an active session:/, (m) => `quser 显示 ${m[1]} 有活动会话：该账号的第二次登录会被拒绝或挤掉这个会话。`],
  [/^quser shows no active session of (.+) right now;/, (m) => `quser 目前没有显示 ${m[1]} 的活动会话；按报告的症状处理。`],
  [/^The RD Licensing role is installed on this server, but its license server is not activated;/, () => '本服务器安装了远程桌面授权角色，但授权服务器未激活；这不代表本服务器属于 RDS 部署。'],
  [/^The RD Licensing role is installed and activated on this server but holds no CAL packs/, () => '本服务器安装并激活了远程桌面授权角色，但没有安装 CAL 许可证包（只有内置的）；这不代表本服务器属于 RDS 部署。'],
  [/^PendingFileRenameOperations is set/, () => '已设置 PendingFileRenameOperations（杀毒软件、代理程序和驱动常会设置它，许多正常服务器上都有）；仅作报告，不影响修复。'],
  [
    /^Licensing will be set to (Per User|Per Device) \(LicensingType (\d)\) with license server (\S+); no restart is planned/,
    (m) => `远程桌面授权模式将设置为${MODE_ZH(m[1])}（LicensingType ${m[2]}），授权服务器为 ${m[3]}；不计划重启，验证步骤会检查授权服务器是否可达。`,
  ],
  [
    /^The CAL type on the license server must match the mode \(a mismatch causes event 1004\), and the license server must be activated and hold RDS CALs for Windows Server (\S+) or newer\.$/,
    (m) => `授权服务器上的 CAL 类型必须与授权模式一致（不一致会出现事件 1004），并且授权服务器必须已激活，且安装了 Windows Server ${m[1]} 或更高版本的 RDS CAL。`,
  ],
  [/^Windows Server 2025: CALs of older versions/, () => 'Windows Server 2025：旧版本的 CAL（例如 2022 RDS CAL）不能为 2025 的远程桌面会话主机授权；授权服务器也必须是 2025。'],
  [
    /^The diagnosis already reports license server (\S+) with GetTStoLSConnectivityStatus = (.*); configuring it will not help/,
    (m) => `诊断已显示授权服务器 ${m[1]} 的 GetTStoLSConnectivityStatus = ${m[2]}；在解决该问题（RPC 135 及动态端口、激活、TSC 组）之前配置它也无济于事。`,
  ],
  [/^Allowing several sessions per user \(fSingleSessionPerUser = 0\) applies to new logons;/, () => '允许同一用户多个会话（fSingleSessionPerUser = 0）对新登录生效；不影响现有会话，也不需要重启。'],
  [/^This server belongs to an RDS deployment \((.*)\); only its own single-session setting is changed\.$/, (m) => `本服务器属于 RDS 部署（${m[1]}）；只修改它自己的单会话设置。`],
  [/^Licensing is configured on this server; the role is removed only because the request explicitly asked for it/, () => '本服务器已配置远程桌面授权；之所以删除该角色，是因为请求中明确要求（removeRoleDespiteLicensing）。'],
  [/^Group Policy sets the RD licensing mode or license servers;/, () => '组策略设置了远程桌面授权模式或授权服务器；rdpfix 不修改组策略。删除角色后它不再起作用，但如果以后重新安装该角色，组策略会再次生效。'],
  [/^After the restart the server is back to Remote Desktop for Administration:/, () => '重启后服务器恢复为远程管理模式：最多两个管理员同时远程连接。'],
  [/^A restart is already pending on this server for another reason \((.*)\); rdpfix does not restart it\.$/, (m) => `本服务器因其他原因已有待执行的重启（${m[1]}）；rdpfix 不会重启它。`],
  [/^The logged-on sessions could not be read;/, () => '无法读取已登录的会话；重启会断开所有已登录的会话，未保存的工作将丢失。'],
  [/^(At least )?(\d+) user session\(s\) are on the server \(quser\);/, (m) => `服务器上有${m[1] ? '至少 ' : ' '}${m[2]} 个用户会话（quser）；重启会断开这些会话，未保存的工作将丢失。`],
  [/^allowReboot is false: nothing is changed until the plan is approved;/, () => '未允许重启（allowReboot 为 false）：在方案被批准之前不会做任何修改；一次批准同时涵盖角色删除和重启。'],
  [/^Both causes are blocked; nothing is changed\.$/, () => '两个原因都无法处理；不做任何修改。'],
  [/^The single-session restriction alone could be lifted, but the licensing lockout is blocked/, () => '单独解除单会话限制是可以的，但远程桌面授权问题无法处理，只解除单会话限制也不能让任何人登录；因此不做任何修改。'],
  // Failure details the engine records (reasonDetail), for zh summaries.
  [/^No guest agent is registered for (\S+) in (\S+)\./, (m) => `实例 ${m[1]} 在地域 ${m[2]} 中没有已注册的代理（云助手 / SSM Agent）。请使用控制台远程连接 VNC 功能登录实例，检查代理服务是否在运行。`],
  [/^The guest agent on (\S+) is (\S+) \(last seen (.*?)\)\./, (m) => `实例 ${m[1]} 上的代理状态为 ${m[2]}（最后在线时间：${m[3]}）。请使用控制台远程连接 VNC 功能登录实例，检查代理服务是否在运行。`],
  [/^The cloud inventory has no instance (\S+)\.$/, (m) => `云上的实例清单中没有实例 ${m[1]}。`],
  [/^(\S+) is in (\S+), not (\S+)\.$/, (m) => `实例 ${m[1]} 位于地域 ${m[2]}，不在 ${m[3]}。`],
  [/^(\S+) no longer belongs to tenant (\S+), for whom this remediation was made; nothing was sent to it\.$/, (m) => `实例 ${m[1]} 已不属于发起本次修复的租户 ${m[2]}；没有向它下发任何命令。`],
  [/^(\S+) runs (.+), not Windows\.$/, (m) => `实例 ${m[1]} 运行的是 ${m[2]}，不是 Windows。`],
  [/^The remediation did not finish before its deadline \((\S+)\) in step (\w+)\.$/, (m) => `修复未能在截止时间（${m[1]}）之前完成，停在步骤 ${m[2]}。`],
  [/^The server did not come back with a new boot time within (\d+)s\./, (m) => `服务器在 ${m[1]} 秒内没有以新的启动时间重新上线。请通过 VNC 控制台检查。`],
  [/^The boot time is still (\S+): the server did not restart within (\d+)s\.$/, (m) => `启动时间仍为 ${m[1]}：服务器在 ${m[2]} 秒内没有重启。`],
  [/^(\S+ \(command [^)]*\)) did not finish within its time limit and was stopped\.$/, (m) => `${m[1]} 未在时限内完成，已被停止。`],
  [/^(\S+ \(command [^)]*\)) was never delivered: the guest agent did not pick it up \((.*)\)\./, (m) => `${m[1]} 未送达：实例上的代理没有接收该命令（${m[2]}）。请检查代理，或使用 VNC 控制台。`],
  [/^(\S+ \(command [^)]*\)) failed with exit code (\S+): (.*)$/, (m) => `${m[1]} 执行失败，退出码 ${m[2]}（${m[3]}）`],
  [/^(\S+ \(command [^)]*\)) was cancelled on the instance before it completed\.$/, (m) => `${m[1]} 在实例上完成之前已被取消。`],
  [/^The command channel refused (.*): (.*)\.$/, (m) => `命令通道拒绝了 ${m[1]}：${m[2]}。`],
  [/^Verification failed — (.*)$/, (m) => `验证未通过：${m[1]}`],
  [/^After the approval the server no longer needed the fix; nothing was changed\.$/, () => '批准之后服务器已不再需要修复；未做任何修改。'],
  [/^After the approval the diagnosis changed, and rdpfix now refuses: (.*)$/, (m) => `批准之后诊断结果发生了变化，rdpfix 现在拒绝修复：${technicalZh(m[1]).replace(/^技术说明(（英文原文）)?：/, '')}`],
  [/^Cancelled before it started; nothing was changed\.$/, () => '在开始之前已取消；未做任何修改。'],
  [/^Cancelled while waiting for approval; nothing was changed\.$/, () => '在等待批准时已取消；未做任何修改。'],
  // Refusal details.
  [
    /^This server is a domain controller \((.*)\)\. rdpfix never changes a domain controller.* Found: (.*); fix it by hand during a maintenance window\.$/,
    (m) => `本服务器是域控制器（${m[1]}）。rdpfix 从不修改域控制器：删除角色或重启域控制器会影响整个域。发现的问题：${m[2]}；请在维护窗口内手动处理。`,
  ],
  [
    /^fSingleSessionPerUser = 1 is enforced by Group Policy/,
    () => 'fSingleSessionPerUser = 1 由组策略强制设置（PolicySourceSingleSession = 1；HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\fSingleSessionPerUser）。请在生效的 GPO 中将策略“将远程桌面服务用户限制到单独的远程桌面服务会话”设置为“已禁用”（可用 gpresult /scope computer 查看）。',
  ],
  [
    /^This server is part of an RDS deployment \((.*)\)\. Removing the RD Session Host role would break the deployment/,
    (m) => `本服务器属于 RDS 部署（${m[1]}）。删除远程桌面会话主机角色会破坏该部署（服务器必须先用 Remove-RDServer 退出部署），授权也必须在连接代理（Connection Broker）上用 Set-RDLicenseConfiguration 配置客户自己的授权服务器和 CAL 类型。`,
  ],
  [
    /^Licensing is configured \(LicensingType ([^,]+), license server (.*?)\), but no license server answers as valid \(GetTStoLSConnectivityStatus (.*)\)\./,
    (m) => `已配置远程桌面授权（授权模式 ${MODE_ZH(m[1])}，授权服务器 ${m[2]}），但没有一个授权服务器可用（GetTStoLSConnectivityStatus ${m[3]}）。这是授权服务器的问题，不是缺少配置：请检查授权服务器本身、它的激活状态和 CAL，以及本服务器到授权服务器的 RPC（135 端口和动态端口）。rdpfix 不会从已配置授权的服务器上删除远程桌面会话主机角色；如需修复，请使用 configure-licensing 指定一个可用的授权服务器，或（不能从控制台）用 removeRoleDespiteLicensing 明确要求删除角色。`,
  ],
  [
    /^Licensing is configured \(LicensingType ([^,]+), license server (.*?)\), but it cannot issue CALs: (.*)\. rdpfix does not remove/,
    (m) => `已配置远程桌面授权（授权模式 ${MODE_ZH(m[1])}，授权服务器 ${m[2]}），但无法颁发 CAL：${m[3]}。rdpfix 不会从已配置授权的服务器上删除远程桌面会话主机角色；请修正授权配置（configure-licensing），或（不能从控制台）用 removeRoleDespiteLicensing 明确要求删除角色。`,
  ],
  [
    /^A restart is already pending on this server \((.*)\)\. Removing the RD Session Host role now may fail/,
    (m) => `本服务器已有待执行的重启（${m[1]}）。现在删除远程桌面会话主机角色可能失败或需要两次重启；请先重启服务器，再重新运行 rdpfix。`,
  ],
  [
    /^Licensing is controlled by Group Policy under HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services: (.*)\. A local change would be overridden;/,
    (m) => `远程桌面授权由组策略控制（HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services：${m[1]}）。本地修改会被组策略覆盖；请修改 GPO，或使用 remove-role 修复方式。`,
  ],
  [/^Strategy configure-licensing needs the customer's license server and CAL type; missing: (.*)\. rdpfix never guesses/, (m) => `configure-licensing 需要客户提供授权服务器和 CAL 类型；缺少：${m[1]}。rdpfix 从不猜测这些值（授权模式错误会导致事件 1004）。`],
  [/^licenseServer "(.*)" is not a valid host name/, (m) => `licenseServer "${m[1]}" 不是有效的主机名（应为 NetBIOS 名称、FQDN 或 IPv4 地址，不能包含空格或逗号）。`],
  [/^Per User licensing was requested, but this server is not joined to a domain/, () => '请求的是每用户授权，但本服务器没有加入域（Win32_ComputerSystem.PartOfDomain = false）。工作组中的远程桌面会话主机必须使用每设备 CAL。'],
  [/^Strategy configure-licensing is not supported on Windows Server 2008:/, () => 'Windows Server 2008 不支持 configure-licensing：SetSpecifiedLicenseServerList 和 GetTStoLSConnectivityStatus 只在 2008 R2 及以后版本提供，既无法设置也无法验证授权服务器。请使用 remove-role，或手动配置授权。'],
  [/^A removal of the RD Session Host role already ran and waits for a restart \(rdsh\.removalPending\);/, () => '之前已执行过远程桌面会话主机角色的删除，正在等待重启（rdsh.removalPending）；在正被删除的角色上配置授权会丢失。请重启服务器，或使用 remove-role 让 rdpfix 完成这次重启。'],
  [/^Windows version (.*) is not a supported Windows Server release/, (m) => `Windows 版本 ${m[1]} 不是受支持的 Windows Server 版本（2008、2008 R2、2012、2012 R2、2016、2019、2022、2025）。`],
  [
    /^No licensing lockout and no blocking single-session restriction were found, but RDP is broken for another reason: (.*)\. rdpfix does not change these settings;/,
    (m) => `没有发现远程桌面授权问题或阻止登录的单会话限制，但远程桌面因其他原因不可用：${m[1]}。rdpfix 不修改这些设置；请通过 VNC 控制台或组策略处理。`,
  ],
  [/^Besides (.*), RDP is broken for another reason that rdpfix does not repair: (.*)\. Fixing only/, (m) => `除了${m[1]}之外，远程桌面还因 rdpfix 不处理的其他原因不可用：${m[2]}。只修复授权或会话设置并不能恢复远程连接。`],
  [/^The single-session restriction is left as it is: (.*)$/, (m) => `单会话限制保持不变：${m[1]}`],
  [/^(Every change|Allowing several sessions per user|Removing the RD Session Host role|Configuring licensing) depends on facts that could not be read: (.*?)\. rdpfix does not change a server on facts it could not read\./, (m) => `${PURPOSE_ZH[m[1]]}所依赖的以下诊断信息无法读取：${m[2]}。rdpfix 不会根据无法读取的信息修改服务器。请重新运行诊断；如果同样的信息一直读取失败，请通过 VNC 控制台检查服务器上的 WMI（Windows Management Instrumentation 服务，winmgmt /verifyrepository）和远程桌面服务的 WMI 提供程序。`],
  [/^rdpfix could not tell whether this server has a problem it repairs\./, () => 'rdpfix 无法判断这台服务器是否存在它能修复的问题：部分诊断信息无法读取。rdpfix 不会根据无法读取的信息修改服务器；请重新运行诊断，如仍失败请通过 VNC 控制台检查 WMI。'],
];

/**
 * Where one blocker's detail ends and the next begins: a refusal detail may be several blockers'
 * details joined with a space, each starting with one of these.
 */
const SEGMENT_START =
  / (?=(?:Every change|Allowing several sessions per user|Removing the RD Session Host role|Configuring licensing) depends on facts|This server is a domain controller|Besides |fSingleSessionPerUser = 1 is enforced|This server is part of an RDS deployment|Licensing is configured \(|A restart is already pending|Licensing is controlled by Group Policy|Strategy configure-licensing|licenseServer "|Per User licensing was requested|A removal of the RD Session Host role already ran|Windows version |No licensing lockout|The single-session restriction is left)/;

function translateOne(segment: string): string | null {
  for (const [re, render] of RULES) {
    const m = segment.match(re);
    if (m) return phrasesZh(render(m));
  }
  return null;
}

/** A technical line in Chinese, labelled 技术说明; unknown lines stay English, labelled as such. */
export function technicalZh(line: string): string {
  const whole = translateOne(line);
  if (whole !== null && !SEGMENT_START.test(line)) return `技术说明：${whole}`;
  const parts = line.split(SEGMENT_START).map((p) => translateOne(p));
  if (parts.every((p): p is string => p !== null)) return `技术说明：${parts.join('')}`;
  // A bare value (PolicySourceSingleSession = 1) needs no label; an English sentence says it is one.
  return /[a-z]{2,} [a-z]{2,} [a-z]{2,} [a-z]{2,}/i.test(line) ? `技术说明（英文原文）：${line}` : `技术说明：${line}`;
}
