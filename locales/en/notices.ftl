## Several notices of one kind for one person, merged into one message (a campaign peak)

merged-late = ⏳ <i>Late: the bot could not send this in time.</i>
merged-new-lead = 🆕 <b>{ $count } new { $count ->
        [one] lead was
       *[other] leads were
    } assigned to you</b>: { $ids }. Take them into work from the list.
merged-unsorted-lead = 📥 <b>{ $count } { $count ->
        [one] lead is
       *[other] leads are
    } waiting in the unsorted queue</b>: { $ids }. No manager on duty is free.
merged-take-reminder = ⏰ <b>{ $count } { $count ->
        [one] lead is
       *[other] leads are
    } waiting for you to take { $count ->
        [one] it
       *[other] them
    } into work</b>: { $ids }
merged-take-overdue = 🚨 <b>{ $count } { $count ->
        [one] lead was
       *[other] leads were
    } not taken into work in time</b>: { $ids }
merged-stage-overdue = ⏰ <b>{ $count } { $count ->
        [one] deal has
       *[other] deals have
    } overstayed { $count ->
        [one] its stage
       *[other] their stages
    }</b>: { $ids }
merged-contact-overdue = 🔴 <b>{ $count } { $count ->
        [one] contact is
       *[other] contacts are
    } overdue</b>: { $ids }. Mark that you got in touch, or move them.
merged-contact-escalated = 🚨 <b>{ $count } { $count ->
        [one] client is
       *[other] clients are
    } waiting for a call</b>: { $ids }. Their managers did not get in touch in time.
deal-number-range = #{ $first }–#{ $last }
btn-merged-mine = 📋 Open deals
btn-merged-unsorted = 📥 Open the unsorted queue
relay-more = …and { $count } more { $count ->
        [one] message
       *[other] messages
    }: see the deal's history
relay-slow-down = You're writing very fast 🙂 Every message is saved, and your manager will see each one. Please send them a little less often, so your manager can give you a proper answer.

## A questionnaire left half-way and finished later

notice-questionnaire-finished = ✅ <b>The client finished the questionnaire</b> of deal #{ $id } — the card now has all the answers.
notice-request-repeated-unfinished = 🔁 <b>The client began a request again but did not finish it</b> — added to the history of deal #{ $id }. What they answered:
intake-cancelled-lead-kept = All right, we'll skip the rest of the questions. A manager already has your answers and may write to you here.
intake-passed-on = We've passed your message on to the manager, who will answer here. To complete your request, answer the question above.
