# Accord's web pages in English. Every key here must also be in zh-CN/main.ftl (a test checks).

skip-to-content = Skip to the content
nav-main = Main
nav-engagements = Engagements
nav-organisation = Organisation
nav-sign-out = Sign out
nav-language = Language
nav-engagement = This engagement
nav-overview = Overview
nav-roles = Roles
nav-gate = Gate
nav-audit = Audit trail
back-to-engagements = Back to your engagements
choose = Choose…
add = Add
yes = Yes
no = No
current = current
met = met
unmet = not met
operator = operator (command line)

## Signing in
login-title = Sign in
login-intro = Sign in with the e-mail address and password your organisation's administrator gave you.
login-submit = Sign in
login-wrong = Wrong e-mail or password.
login-session-ended = Your session has ended. Sign in again; what you were submitting is kept.
login-resume-hint = After you sign in you can check and submit your form again.
resume-title = Submit your form again
resume-intro = Your session ended while you were working. This is what you were submitting; nothing has been saved yet. Passwords are never kept: re-enter one where the form needs it.
resume-submit = Submit again
resume-discard = Discard it and open the page

## Engagements
engagements-title = Your engagements
engagements-none = Your organisation takes part in no engagement yet.
col-key = Key
col-name = Name
col-product = Product
col-customer = Customer
col-partner = Partner
col-phase = Phase
col-cycle = Cycle
col-when = When (UTC)
col-who = Who
col-action = What
col-reason = Reason
col-since = Since
col-actions = Actions
col-status = Status
col-criterion = Criterion
col-evidence = Evidence

phase-purchase = Purchase cycle
phase-implementation = Implementation cycle
phase-operations = Ongoing operations and maintenance

role-executive-sponsor = Executive sponsor
role-business-process-owner = Business process owner
role-system-owner = System owner
role-system-administrator = System administrator
role-functional-area-manager = Functional area manager
role-end-user = End user
role-account-lead = Account lead
role-project-manager = Project manager
role-solution-consultant = Solution consultant
role-support-engineer = Support engineer

## Overview
overview-phases = Phases
overview-cycle = cycle { $n }
gate-heading = Gate to { $phase }
gate-ready = Every criterion is met: the engagement may move on.
gate-not-ready = Some criteria are not met yet.
gate-open = Open the gate
gate-criteria = Exit criteria
gate-new-cycle = passing this gate starts a new cycle
gate-add-criterion = Add a criterion to this gate's checklist
gate-mark-met = Mark met
gate-mark-unmet = Mark not met
gate-unmet-list = The criteria not met:
criterion-roles-covered = Every role the next phase requires has a holder
criterion-signed-off = Approved with an electronic signature that covers the gate as it stands
evidence-all-held = every required role has a holder
evidence-no-holder = no holder for: { $roles }
evidence-approved = approved by { $name } at { $at }
evidence-rejected = rejected by { $name } at { $at }
evidence-not-signed = not signed off yet
evidence-approval-stale = an approval given in this phase no longer covers the gate: it changed after signing
coverage-heading = Role coverage
coverage-complete = Every required role has a holder.
coverage-gaps = { $n ->
    [one] One required role has no holder.
   *[other] { $n } required roles have no holder.
}
coverage-missing = No holder
roles-open = Assign roles
signatures-heading = Signatures
signature-covers = covers the current content
signature-stale = does not cover the current content: the gate changed after signing
notes-heading = Internal notes
notes-visibility = Visible only to { $side }.
notes-none = No notes yet.
notes-add = Add note
recent-events = Recent changes
audit-open = The whole audit trail

## Roles
roles-title = Roles
roles-assign = Assign a role
roles-assign-submit = Assign
roles-area-hint = For a functional area manager: the area, for example "QC laboratory".
roles-current = Current holders
roles-retire = Retire
field-person = Person
field-role = Role
field-functional-area = Functional area

## Gate, signing, moving on
sign-heading = Sign off this gate
sign-intro = Your signature is bound to the gate exactly as shown on this page. If the gate changes afterwards, the signature is shown as no longer covering it.
sign-hash = You sign the content with hash
sign-submit = Sign
meaning-authored = Authored
meaning-reviewed = Reviewed
meaning-approved = Approved
meaning-rejected = Rejected
pass-heading = Move to { $phase }
pass-submit = Move to { $phase }
cycle-heading = Start a new cycle
cycle-submit = Start the new cycle
field-trigger = What changed
trigger-business-change = A business change
trigger-technology-change = A technology change

## Audit trail
audit-title = Audit trail
audit-intro = Every change to this engagement, newest first. Each event is chained to the one before it with a keyed hash, so a change made behind the application's back is detected.
audit-verify = Verify the chain
audit-verified = The chain is intact: { $n } events checked.
audit-broken = The audit chain is broken
audit-broken-at = The first broken event is number { $seq }.
pager = Pages
pager-newer = Newer events
pager-older = Older events

record-engagement = engagement
record-gate-criterion = gate criterion
record-note = internal note
record-organisation = organisation
record-role-assignment = role assignment
record-role-matrix = role matrix
record-signature = signature
record-token = token
record-user = user

action-auth-locked = Account locked after failed sign-ins
action-auth-login = Signed in
action-auth-login-failed = Failed sign-in
action-auth-logout = Signed out
action-auth-session-renew = Session renewed
action-engagement-create = Engagement created
action-engagement-new-cycle = New cycle started
action-engagement-retire = Engagement retired
action-engagement-transition = Phase changed
action-engagement-update = Engagement edited
action-gate-criterion-create = Gate criterion added
action-gate-criterion-retire = Gate criterion removed
action-gate-criterion-update = Gate criterion edited
action-note-create = Internal note added
action-organisation-create = Organisation created
action-role-assign = Role assigned
action-role-retire = Role retired
action-role-matrix-update = Role matrix edited
action-signature-failed = Failed signature attempt
action-signature-sign = Signed
action-token-create = API token issued
action-user-create = User created
action-user-disable = Account disabled
action-user-enable = Account enabled
action-user-password-change = Password changed
action-user-password-change-failed = Failed password change
action-user-password-reset = Password reset by an administrator

## Account and organisation
account-title = Your account
account-admin = organisation admin
account-active = active
account-disabled = disabled
password-change = Change password
password-hint = 12 to 128 characters; not one of the 10,000 most common passwords. Your other sessions end.
field-email = E-mail
field-password = Password
field-current-password = Current password
field-new-password = New password
field-reason = Reason
field-meaning = Meaning
field-body = Note
field-text = Text
field-user-id = Person
field-evidence = Evidence
organisation-title = Your organisation's people
organisation-manage = Manage
organisation-reset = Set this password
organisation-disable = Disable the account
organisation-enable = Enable the account

## What a finished form says
done-note-added = The note was added.
done-role-assigned = The role was assigned.
done-role-retired = The role was retired.
done-criterion-added = The criterion was added.
done-criterion-updated = The criterion was updated.
done-signed = Your signature was recorded.
done-phase-moved = The engagement moved on.
done-password-changed = Your password was changed. Your other sessions have ended.
done-password-reset = The password was set. The person's sessions have ended.
done-account-disabled = The account was disabled. Its sessions have ended.
done-account-enabled = The account was enabled.
done-signed-out = You have signed out.

## Errors
err-unauthorized = Sign in first.
err-forbidden = You are not allowed to do that.
err-not-found = There is no such page, or it is not yours to see.
err-validation = Some of what you entered cannot be accepted:
err-stale = Someone changed this since you opened the page. The page now shows the current state; apply your change again.
err-refused = That cannot be done now.
err-gate-unmet = The gate is not passed: some of its criteria are not met.
err-throttled = { $seconds ->
    [one] Too many attempts. Try again in a second.
   *[other] Too many attempts. Try again in { $seconds } seconds.
}
err-busy = The server is busy. Nothing was saved; try again.
err-full = The storage is full. Nothing was saved.
err-internal = Something went wrong on our side. Nothing was saved.
err-csrf = This form has expired or did not come from this site, so it was not accepted. Reload the page and try again.
err-bad-form = The form was incomplete.

msg-empty = must not be empty
msg-too-long = is { $a } characters long; at most { $b } are allowed
msg-control = must not contain control characters
msg-not-email = is not an e-mail address
msg-password-short = must be at least { $a } characters
msg-password-long = must be at most { $a } characters
msg-password-common = is one of the most common passwords; choose another
msg-not-current-password = is not your current password
msg-password-same = must differ from the current password
msg-wrong-sign-password = wrong password: nothing was signed
msg-meaning = must be authored, reviewed, approved or rejected
msg-not-you = is not the signed-in user's e-mail: you can only sign as yourself
msg-first-signature = the first signature of a session needs your e-mail as well as your password

## Requirements
nav-requirements = Requirements
requirements-title = Requirements
rollup-heading = Totals by priority
field-priority = Priority
rollup-requirements = Requirements
rollup-estimated = Estimated
field-effort-days = Effort (days)
field-cost = Cost
priority-none = not prioritised
rollup-share = Kept on the standard process: { $share } of the estimated requirements.
filters = Filters
filter-text = Text
any = any
field-owner = Owner
sort = Sort by
col-title = Title
sort-recent = most recently changed
filter-apply = Show
requirements-none = No requirement matches.
col-updated = Changed (UTC)
pager-previous = Previous page
pager-next = Next page
requirement-new = Write down a requirement
field-statement = Statement
field-rationale = Rationale
requirement-no-areas = This engagement has no functional areas yet: assign a functional area manager with an area on the roles page first.
field-source = Source
nobody = nobody
requirement-create = Create
version-n = version { $n }
conflict-heading = Someone changed this requirement while you were editing it
conflict-intro = Your changes were not saved. Here is what you typed beside what is there now; your typing is still in the form below, now based on the current version. Submit it again to replace the current values.
col-field = Field
conflict-yours = What you typed
conflict-theirs = What is there now
priority-decide = Decide
priority-who = The priority is decided by the functional area manager of this requirement's area or by a business process owner.
estimate-heading = Estimate
field-feasibility = Feasibility
field-fit = Fit
field-basis = Basis
estimate-by = Estimated by
estimate-acknowledged = Acknowledged by the customer
estimate-acknowledge = Acknowledge the estimate
estimate-query-hint = To query the estimate, ask a question below.
estimate-none = Not estimated yet.
field-currency = Currency
estimate-save = Save the estimate
clarifications-heading = Clarifications
clarifications-none = No questions yet.
clarification-open = { $hours ->
    [one] Open for 1 hour
   *[other] Open for { $hours } hours
}
field-answer = Answer
clarification-answer = Answer
field-question = Question
clarification-ask = Ask
requirement-edit = Edit
requirement-save = Save
versions-heading = Versions
col-version = Version
col-changes = Changes
status-draft = Draft
status-in-clarification = In clarification
status-ready-for-review = Ready for review
status-approved = Approved
status-implemented = Implemented
status-verified = Verified
status-retired = Retired
priority-must-have = Must have
priority-deferred = Deferred
priority-nice-to-have = Nice to have
feasibility-feasible = Feasible
feasibility-feasible-with-customisation = Feasible with customisation
feasibility-not-feasible = Not feasible
fit-standard-process = Standard process
fit-configuration = Configuration
fit-customisation = Customisation
done-requirement-created = The requirement was created.
done-requirement-saved = The requirement was saved as a new version.
done-priority-set = The priority was decided.
done-question-asked = The question was asked.
done-question-answered = The question was answered.
done-estimate-saved = The estimate was saved.
done-estimate-acknowledged = The estimate was acknowledged.
field-title = Title
field-owner-id = Owner
field-status = Status
record-requirement = requirement
record-clarification = clarification
record-estimate = estimate
action-requirement-create = Requirement written
action-requirement-update = Requirement edited
action-requirement-priority = Priority decided
action-requirement-priority-refused = Priority refused: no decision authority
action-clarification-ask = Question asked
action-clarification-answer = Question answered
action-estimate-put = Estimate given
action-estimate-acknowledge = Estimate acknowledged
rollup-unfiltered = Totals by priority are shown with the unfiltered list.

## More domain messages
msg-area-required = a functional area manager must name the area they manage
msg-area-refused = only a functional area manager names an area, not a { $a }
msg-unknown-role = unknown role { $a }
msg-account-disabled = the account is disabled
msg-no-such-user = no such user in this engagement's organisations
msg-area-unknown = is not an area of this engagement; its areas are: { $a }
msg-area-none = is not an area of this engagement: it has none yet (assign a functional area manager first)
msg-not-member = is not an active member of the customer or the partner of this engagement
msg-number = must be a number
msg-one-of = must be one of { $a }
msg-effort = must be a number of days from 0 to 100000
msg-cost = must be an amount from 0 to 1000000000000
msg-currency = must be a three-letter ISO 4217 code such as EUR
msg-phase = must be purchase, implementation or operations
done-must-change = An administrator of your organisation set your password: choose your own before you go on.
