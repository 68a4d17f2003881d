## The team and lists of deals: /deals, /find, /unsorted, /pause, /resume, /invite, /staff

command-deals = My deals
command-find = Find a deal by number, phone or name
command-unsorted = Unsorted leads
command-pause = Go off duty: no new leads
command-resume = Back on duty
command-invite = Invite a colleague (admins)
command-staff = The team: roles, duty, load

lists-not-staff = This command is for the sales team.
list-page = page { $page } of { $pages }
list-btn-prev = ◀ Back
list-btn-next = Next ▶
list-outdated = This page of the list is out of date. Open the list again: { $command }
list-btn-open = #{ $id } · { $name }
list-btn-open-overdue = ⏰ #{ $id } · { $name }
list-btn-take = ✅ Take #{ $id }
list-no-name = no name
list-ids-more = and { $count } more
deal-number = #{ $id }

## /deals

deals-title-own = 📋 <b>Your open deals</b>: { $count }
deals-title-all = 📋 <b>All open deals</b>: { $count }
deals-empty-own = You have no open deals. New leads arrive here as a card with a “✅ Take it” button.
deals-empty-all = There are no open deals.
deals-group-overdue = ⏰ <b>Next contact overdue</b> ({ $count })
deals-group-stage = <b>{ $stage }</b> · { $pipeline } ({ $count })
deals-item-overdue = ⏰ contact was due { $at }
deals-item-next-contact = 📅 contact { $at }
deals-item-not-taken = not taken yet
deals-item-unsorted = 📥 unsorted
deals-item-manager = 👤 { $name }
deals-hint = Tap a deal to open its card.

## /unsorted

unsorted-title = 📥 <b>Unsorted</b>: { $count } { $count ->
        [one] lead
       *[other] leads
    }
unsorted-empty = 📥 Nothing unsorted — every lead has an owner 👌
unsorted-item-since = waiting since { $at }
unsorted-item-due = take by { $at }
unsorted-hint = Tap “✅ Take” to become the lead's owner.
unsorted-hidden = Only supervisors see the unsorted queue. New leads come to you by themselves while you are on duty.

## /find

find-usage =
    🔎 Write what to look for after the command:
    /find 12 — by deal number
    /find +44 20 7946 0958 — by phone
    /find Anna — by name or @username
find-too-short = The query is too short: write at least 2 letters of a name, a deal number or a phone.
find-bad-phone = “{ $query }” looks neither like a deal number nor like a whole phone number. Write the phone in full, e.g. +44 20 7946 0958.
find-not-found-number = Deal #{ $id } was not found.
find-not-found-phone = No deals with the phone { $phone }.
find-not-found-name = Nothing found for “{ $query }”.
find-only-own = Only your own deals are searched.
find-title = 🔎 Found: { $count } { $count ->
        [one] deal
       *[other] deals
    }
find-more = Showing the first { $count } — narrow the query if the deal you need is not here.

## Duty: /pause, /resume

duty-paused =
    ⏸ You are off duty: new leads no longer come to you.
    Your deals, clients' messages and reminders still do. /resume — back on duty.
duty-already-paused = You are off duty already: new leads do not come to you. /resume — back on duty.
duty-resumed = 🟢 You are on duty again: new leads will come to you.
duty-already-on = You are on duty already: new leads come to you. /pause — go off duty.
duty-nobody-left = ⚠️ No manager is on duty now: new leads will wait unsorted, and supervisors will be alerted.
duty-colleagues-left = { $count } { $count ->
        [one] manager is
       *[other] managers are
    } on duty — new leads will go to them.
duty-not-manager = Only managers have duty: leads are distributed among them. New leads do not come to you anyway.

## Invites: /invite and the link

invite-usage =
    Whom to invite? Write:
    /invite manager — a manager
    /invite supervisor — a supervisor
invite-not-allowed = Only an admin can invite people to the team.
invite-admin-role = Admins are not invited by link: their ids go in ADMIN_IDS in the bot's settings.
invite-created =
    🔗 An invite to the team as “{ $role }”:

    { $link }

    Forward the link to your colleague. It works once, for 24 hours — until { $until }.
invite-joined = 🎉 Welcome to the team, { $name }! Your role: { $role }.
invite-joined-manager =
    New leads will arrive here as a card with a “✅ Take it” button.
    /deals — your deals, /find — search, /pause — go off duty. Menu — /start.
invite-joined-supervisor =
    You see every deal and get alerts about unsorted leads and missed deadlines.
    /deals — all deals, /unsorted — the unsorted queue, /staff — the team. Menu — /start.
invite-already-member = You are on the team already: { $role }. The link was not used — it still works for whom it was meant.
invite-unknown = This invite was not found. Please ask an admin for a new link.
invite-used = This invite link has been used already: it works only once. Please ask an admin for a new one.
invite-used-by-you = You have already joined the team with this link. Menu — /start.
invite-expired = This invite link has expired: an invite is valid for 24 hours. Please ask an admin for a new one.

## The team: /staff

team-title = 👥 <b>The team</b>: { $count } { $count ->
        [one] person
       *[other] people
    }
team-unsorted = 📥 Unsorted: { $count } { $count ->
        [one] lead
       *[other] leads
    }
team-member-you = (you)
team-member-on-duty = 🟢 on duty
team-member-off-duty = ⏸ off duty
team-member-load = { $count } open { $count ->
        [one] deal
       *[other] deals
    }
team-pinned-legend = 📌 — set in the bot's settings (ADMIN_IDS, SUPERVISOR_IDS, MANAGER_IDS): only there can they be removed.
team-not-staff = The team list is for staff only.
team-btn-remove = ✖ Remove: { $name }
team-btn-confirm = Yes, remove
team-btn-cancel = Cancel
team-confirm-remove = Remove <b>{ $name }</b> from the team?
team-confirm-no-deals = They have no open deals.
team-confirm-deals = { $count } open { $count ->
        [one] deal goes
       *[other] deals go
    } back to the unsorted queue, and supervisors will be told.
team-removed = ✅ { $name } is no longer on the team.
team-removed-no-deals = They had no open deals.
team-removed-deals = { $count } { $count ->
        [one] deal went
       *[other] deals went
    } back to the unsorted queue: { $ids }. /unsorted — sort them out.
team-remove-not-allowed = Only an admin can remove people from the team.
team-remove-self = You cannot remove yourself from the team.
team-remove-not-found = This person is no longer on the team.
team-remove-pinned = { $name } is set in an environment variable (ADMIN_IDS, SUPERVISOR_IDS or MANAGER_IDS) and would get the role back at restart. Remove id { $id } there and restart the bot.
team-remove-cancelled = All right, nobody is removed.
team-member-norm = open deals: { $count } / { $norm }
team-btn-norm = ⚖️ Norm: { $name }
team-btn-norm-default = default ({ $norm })
team-norm-title = ⚖️ Load norm: <b>{ $name }</b>
team-norm-own = Their own norm now: { $norm } open { $norm ->
        [one] deal
       *[other] deals
    }.
team-norm-default = The team's default norm applies now: { $norm } open { $norm ->
        [one] deal
       *[other] deals
    }.
team-norm-explain = While they have this many open deals or more, new leads are not distributed to this manager. Deals already in work stay where they are. Choose the new norm:
team-norm-set = Norm for { $name }: { $norm }.
team-norm-set-default = { $name } is back on the team's norm: { $norm }.
team-norm-not-allowed = Only an admin can change load norms.
team-norm-not-found = This person is no longer on the team.
team-norm-not-manager = { $name } is not a manager: only those who get leads have a norm.
team-norm-out-of-range = A norm must be from 1 to 500 open deals.

## Notices about the team

notice-invite-used = ✅ { $name } joined the team with your invite: { $role }.
notice-staff-removed = 👋 { $name } is no longer on the team.
notice-you-were-removed = You have been removed from the { $company } team: leads and deals no longer come to you. If this is a mistake, tell your admin.
