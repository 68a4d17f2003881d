# Reminders, deadline alerts, the daily digest, people who blocked the bot.

alert-late = ⏳ <i>Late: the bot was unavailable; this was due { $due }.</i>
alert-contact-reminder = 📞 <b>Time to contact the client</b> · deal #{ $id }, planned for { $due }
alert-client-back = ♻️ The client is back in work: a deal is open in the “{ $pipeline }” pipeline (the earlier one was #{ $old }).
alert-contact-overdue = 🔴 <b>Contact overdue</b> · deal #{ $id }: it was planned for { $due }, { $late } ago. Mark it done or move it.
alert-contact-escalated = 🚨 <b>A client is waiting for a call</b> · deal #{ $id }: { $manager } has not made the contact planned for { $due } ({ $late } ago).
alert-take-overdue = 🚨 <b>Nobody took lead #{ $id } into work</b> — waiting { $waiting }. Who should get it?
alert-take-overdue-assigned = 🚨 <b>Lead #{ $id } was not taken into work</b> — waiting { $waiting }, assigned to { $manager }. Give it to someone else?
alert-take-reminder = ⏰ <b>You have not taken lead #{ $id } yet</b> — the client has waited { $waiting }. Your supervisor has been told.
alert-take-reminder-test = ⏰ <b>You have not taken test lead #{ $id } yet</b> — it has waited { $waiting }. Nobody but you is told about it.
alert-stage-overdue = ⏰ <b>Deal #{ $id } is overdue in “{ $stage }”</b>: the limit is { $limit }{ $counted ->
        [working] { " " }of working time
       *[always] {""}
    }; in the stage since { $since }. Owner: { $manager }.

btn-contact-done = ✅ Done
btn-remind-1h = ⏰ In an hour
btn-remind-tmr = 📅 Tomorrow
btn-open-deal = 📂 Open the deal
btn-assign-to = 👤 { $name }{ $duty } · { $count } open
btn-come-back = 📅 Get back to the client
card-come-back = 📅 Get back to the client: { $at } — a new deal opens then
hint-nc-closed = When to get back to the client? A new deal opens then.

ask-contact-result = How did the contact with { $name } go? Write the result in a few words.
done-contact = ✅ Result saved.
ask-next-contact-after-done = When is the next contact?
deal-error-no-contact-planned = This contact is already marked done — nothing is planned.

history-contact-done = ✅ { $actor }: contacted the client — { $text }
history-contact-done-by-note = ✅ { $actor }: the planned contact happened ({ $kind })
history-missed-take = 🚨 Not taken into work in time: it was due { $due }
history-missed-stage = ⏰ Stage “{ $stage }” overdue: it was due { $due }{ $owned ->
        [yes] { " · " }{ $manager }
       *[no] {""}
    }
history-missed-contact = 🔴 Contact planned for { $due } is overdue{ $owned ->
        [yes] { " · " }{ $manager }
       *[no] {""}
    }
history-reopened = ♻️ The planned contact came due: the client is back in work, deal #{ $id }
history-created-woken = ♻️ Opened by the contact planned in deal #{ $id } (pipeline “{ $pipeline }”)

digest-title = 📊 <b>Daily digest</b> · since { $since }
digest-late = ⏳ <i>Late: the bot was unavailable at the planned time.</i>
digest-new = 🆕 New leads: <b>{ $count }</b>
digest-unsorted = 📥 Unsorted now: <b>{ $count }</b>
digest-taken-late = 🚨 Not taken into work in time: <b>{ $count }</b>
digest-case-waiting = waiting { $span }
digest-case-late = { $span } late
digest-overdue = 🔴 Overdue contacts: <b>{ $count }</b>
digest-stage = ⏰ Stage deadlines missed: <b>{ $count }</b>
digest-won = 🏆 Deals won: <b>{ $count }</b>
digest-won-amount = { " " }worth { $amount }
digest-lost = ✖ Deals lost: <b>{ $count }</b>
digest-reason = { "  " }· { $reason }: { $count }
digest-case = { "  " }· #{ $id } { $client } · { $manager } · { $value }
digest-case-gone = { "  " }· #{ $id }
digest-nobody = no manager
digest-loss-warnings = ⚠️ <b>Losses to look into</b>
digest-loss-over = { "  " }· “{ $reason }”: { $share } of the losses in 30 days ({ $count } of { $total }), above the limit of { $limit }
digest-loss-run = { "  " }· { $manager }: the last { $count } losses in a row, all “{ $reason }”
digest-client-lost-again = { "  " }· { $client }: lost { $count } times to “{ $reason }”, the latest #{ $id }

notice-staff-blocked = 🚫 <b>{ $name } blocked the bot</b> — notices and reminders do not reach them. Ask them to open the bot again and press “Start”.
notice-client-blocked = 🚫 <b>Client { $name } blocked the bot</b> · deal #{ $id }. Messages no longer reach them — get in touch another way.
notice-client-blocked-no-deal = 🚫 <b>Client { $name } blocked the bot</b>. Messages no longer reach them.

notice-lead-reassigned = 👤 <b>Deal #{ $id } is yours now</b> (it was assigned to { $old }). Assigned by { $by }.
notice-lead-reassigned-away = ↪️ Lead #{ $id } went to another manager: { $new }. By { $by }. You no longer need to take it.
history-reassigned-no-reason = 🔁 { $actor }: lead reassigned ({ $old } → { $new })
card-take-overdue = 🔴 It was to be taken by { $at } — overdue
alert-client-has-deal = 📅 <b>Time to get back to the client</b> (planned in deal #{ $old } for { $due }), but the client already has an open deal #{ $id } — work in that one.
deal-error-contact-changed = This contact was already marked done or moved — the reminder is out of date. The card shows what is planned now.
notice-staff-never-started = ⚠️ <b>{ $name } has not opened the bot yet</b> — notices do not reach them. Ask them to open the bot and press “Start”.
card-next-contact-due = ⏰ Time to get in touch: the contact was planned for { $at }

notice-update-set-aside = ⚠️ <b>The bot could not handle { $what }</b> from { $who } (chat { $chat }): three tries ended in an error. Update { $update } is set aside in the inbox table — the log has what developers need, and the person was told something went wrong. This chat's later messages are handled as usual.
update-kind-message = a message
update-kind-edited-message = an edited message
update-kind-callback-query = a button press
update-kind-my-chat-member = a chat status change
update-sender-unknown = an unknown sender
