# Accord 网页的简体中文文本。每个键都必须与 en/main.ftl 一一对应（有测试检查）。
# 领域术语依照原文：执行赞助商、业务流程所有者、系统所有者、系统管理员、职能区域经理、最终用户、
# 购买周期、实施周期、正在进行的运营和维护。

skip-to-content = 跳到正文
nav-main = 主导航
nav-engagements = 合作项目
nav-organisation = 组织
nav-sign-out = 退出登录
nav-language = 语言
nav-engagement = 本合作项目
nav-overview = 概览
nav-roles = 角色
nav-gate = 阶段关口
nav-audit = 审计追踪
back-to-engagements = 返回您的合作项目
choose = 请选择…
add = 添加
yes = 是
no = 否
current = 当前
met = 已满足
unmet = 未满足
operator = 运维人员（命令行）

## 登录
login-title = 登录
login-intro = 请使用贵组织管理员提供的电子邮件地址和密码登录。
login-submit = 登录
login-wrong = 电子邮件或密码错误。
login-session-ended = 您的会话已结束。请重新登录；您正在提交的内容已保留。
login-resume-hint = 登录后，您可以检查并再次提交表单。
resume-title = 再次提交您的表单
resume-intro = 您在操作时会话已结束。以下是您正在提交的内容，尚未保存任何数据。密码从不保留：如表单需要，请重新输入。
resume-submit = 再次提交
resume-discard = 放弃并打开页面

## 合作项目
engagements-title = 您的合作项目
engagements-none = 贵组织尚未参与任何合作项目。
col-key = 编号
col-name = 名称
col-product = 产品
col-customer = 客户
col-partner = 合作伙伴
col-phase = 阶段
col-cycle = 周期
col-when = 时间（UTC）
col-who = 操作人
col-action = 操作
col-reason = 原因
col-since = 起始时间
col-actions = 操作
col-status = 状态
col-criterion = 标准
col-evidence = 证据

phase-purchase = 购买周期
phase-implementation = 实施周期
phase-operations = 正在进行的运营和维护

role-executive-sponsor = 执行赞助商
role-business-process-owner = 业务流程所有者
role-system-owner = 系统所有者
role-system-administrator = 系统管理员
role-functional-area-manager = 职能区域经理
role-end-user = 最终用户
role-account-lead = 客户负责人
role-project-manager = 项目经理
role-solution-consultant = 解决方案顾问
role-support-engineer = 支持工程师

## 概览
overview-phases = 阶段
overview-cycle = 第 { $n } 周期
gate-heading = 进入{ $phase }的关口
gate-ready = 所有标准均已满足：合作项目可以进入下一阶段。
gate-not-ready = 部分标准尚未满足。
gate-open = 打开阶段关口
gate-criteria = 退出标准
gate-new-cycle = 通过此关口将开始新的周期
gate-add-criterion = 向此关口的检查清单添加一项标准
gate-mark-met = 标记为已满足
gate-mark-unmet = 标记为未满足
gate-unmet-list = 未满足的标准：
criterion-roles-covered = 下一阶段所需的每个角色都有人担任
criterion-signed-off = 已通过涵盖当前关口内容的电子签名批准
evidence-all-held = 所有必需角色均有人担任
evidence-no-holder = 无人担任：{ $roles }
evidence-approved = 由 { $name } 于 { $at } 批准
evidence-rejected = 由 { $name } 于 { $at } 驳回
evidence-not-signed = 尚未签署
evidence-approval-stale = 本阶段的批准已不再涵盖此关口：签署后关口内容已变更
coverage-heading = 角色覆盖情况
coverage-complete = 所有必需角色均有人担任。
coverage-gaps = { $n } 个必需角色无人担任。
coverage-missing = 无人担任
roles-open = 分配角色
signatures-heading = 签名
signature-covers = 涵盖当前内容
signature-stale = 不涵盖当前内容：签署后关口内容已变更
notes-heading = 内部备注
notes-visibility = 仅 { $side } 可见。
notes-none = 暂无备注。
notes-add = 添加备注
recent-events = 最近的变更
audit-open = 完整审计追踪

## 角色
roles-title = 角色
roles-assign = 分配角色
roles-assign-submit = 分配
roles-area-hint = 职能区域经理需填写所负责的区域，例如“QC 实验室”。
roles-current = 当前担任者
roles-retire = 撤销
field-person = 人员
field-role = 角色
field-functional-area = 职能区域

## 关口、签名、进入下一阶段
sign-heading = 签署此关口
sign-intro = 您的签名与本页面所示的关口内容严格绑定。如果关口内容之后发生变更，签名将显示为不再涵盖当前内容。
sign-hash = 您签署的内容哈希值为
sign-submit = 签署
meaning-authored = 编写
meaning-reviewed = 审核
meaning-approved = 批准
meaning-rejected = 驳回
pass-heading = 进入{ $phase }
pass-submit = 进入{ $phase }
cycle-heading = 开始新的周期
cycle-submit = 开始新周期
field-trigger = 发生了什么变化
trigger-business-change = 业务变更
trigger-technology-change = 技术变更

## 审计追踪
audit-title = 审计追踪
audit-intro = 本合作项目的每一项变更，最新的在前。每个事件都通过带密钥的哈希与前一个事件相链接，因此任何绕过应用程序所做的更改都会被发现。
audit-verify = 校验链条
audit-verified = 链条完整：已校验 { $n } 个事件。
audit-broken = 审计链条已被破坏
audit-broken-at = 第一个被破坏的事件编号为 { $seq }。
pager = 分页
pager-newer = 较新的事件
pager-older = 较早的事件

record-engagement = 合作项目
record-gate-criterion = 关口标准
record-note = 内部备注
record-organisation = 组织
record-role-assignment = 角色分配
record-role-matrix = 角色矩阵
record-signature = 签名
record-token = 令牌
record-user = 用户

action-auth-locked = 多次登录失败后账户被锁定
action-auth-login = 登录
action-auth-login-failed = 登录失败
action-auth-logout = 退出登录
action-auth-session-renew = 会话已更新
action-engagement-create = 创建合作项目
action-engagement-new-cycle = 开始新周期
action-engagement-retire = 停用合作项目
action-engagement-transition = 阶段变更
action-engagement-update = 编辑合作项目
action-gate-criterion-create = 添加关口标准
action-gate-criterion-retire = 移除关口标准
action-gate-criterion-update = 编辑关口标准
action-note-create = 添加内部备注
action-organisation-create = 创建组织
action-role-assign = 分配角色
action-role-retire = 撤销角色
action-role-matrix-update = 编辑角色矩阵
action-signature-failed = 签名尝试失败
action-signature-sign = 签名
action-token-create = 签发 API 令牌
action-user-create = 创建用户
action-user-disable = 停用账户
action-user-enable = 启用账户
action-user-password-change = 修改密码
action-user-password-change-failed = 修改密码失败
action-user-password-reset = 管理员重置密码

## 账户与组织
account-title = 您的账户
account-admin = 组织管理员
account-active = 正常
account-disabled = 已停用
password-change = 修改密码
password-hint = 12 至 128 个字符；不能是最常见的 10,000 个密码之一。修改后，您的其他会话将结束。
field-email = 电子邮件
field-password = 密码
field-current-password = 当前密码
field-new-password = 新密码
field-reason = 原因
field-meaning = 签名含义
field-body = 备注
field-text = 文本
field-user-id = 人员
field-evidence = 证据
organisation-title = 贵组织的人员
organisation-manage = 管理
organisation-reset = 设置此密码
organisation-disable = 停用账户
organisation-enable = 启用账户

## 表单完成后的提示
done-note-added = 备注已添加。
done-role-assigned = 角色已分配。
done-role-retired = 角色已撤销。
done-criterion-added = 标准已添加。
done-criterion-updated = 标准已更新。
done-signed = 您的签名已记录。
done-phase-moved = 合作项目已进入下一阶段。
done-password-changed = 您的密码已修改，其他会话已结束。
done-password-reset = 密码已设置，该人员的会话已结束。
done-account-disabled = 账户已停用，其会话已结束。
done-account-enabled = 账户已启用。
done-signed-out = 您已退出登录。

## 错误
err-unauthorized = 请先登录。
err-forbidden = 您无权执行此操作。
err-not-found = 没有这个页面，或者您无权查看。
err-validation = 您输入的部分内容无法接受：
err-stale = 自您打开页面后，已有人修改了此内容。页面现已显示最新状态，请重新进行您的修改。
err-refused = 目前无法执行此操作。
err-gate-unmet = 未通过阶段关口：部分标准尚未满足。
err-throttled = 尝试次数过多。请在 { $seconds } 秒后重试。
err-busy = 服务器繁忙。未保存任何内容，请重试。
err-full = 存储空间已满。未保存任何内容。
err-internal = 系统内部出错。未保存任何内容。
err-csrf = 此表单已过期或并非来自本网站，因此未被接受。请刷新页面后重试。
err-bad-form = 表单不完整。

msg-empty = 不能为空
msg-too-long = 长度为 { $a } 个字符；最多允许 { $b } 个字符
msg-control = 不能包含控制字符
msg-not-email = 不是有效的电子邮件地址
msg-password-short = 至少需要 { $a } 个字符
msg-password-long = 最多 { $a } 个字符
msg-password-common = 是最常见的密码之一，请另选一个
msg-not-current-password = 不是您当前的密码
msg-password-same = 必须与当前密码不同
msg-wrong-sign-password = 密码错误：未签署任何内容
msg-meaning = 必须是编写、审核、批准或驳回之一
msg-not-you = 不是当前登录用户的电子邮件：您只能以本人身份签名
msg-first-signature = 会话中的首次签名需要同时提供电子邮件和密码
