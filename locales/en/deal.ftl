## Working a deal: the card, stages, closing, the next contact, notes, history, hand-over, replies to the client.

card-in-stage-for = {" "}· { $duration } at this stage
span-days = { $count } d
span-hours = { $count } h
span-under-minute = under a minute
span-minutes = { $count } min
card-amount = 💰 Amount: <b>{ $amount }</b>
card-next-contact = 📅 Next contact: { $at }
card-next-contact-overdue = 🔴 Next contact was due { $at } — overdue
card-no-next-contact = 📅 No next contact planned
card-lost-reason = Reason: { $reason }
card-history = <b>Recent history:</b>

btn-stages = 📋 Stages
btn-note = 📝 Note
btn-next-contact = 📅 Next contact
btn-won = 🏆 Won
btn-lost = ✖ Lost
btn-reply = 💬 Reply
btn-history = 📜 History
btn-hand-over = 🔁 Hand over
btn-assign = 👤 Assign a manager
btn-rewarm = ♻️ To rewarming
btn-rewarm-1m = In a month
btn-rewarm-3m = In 3 months
btn-type-date = ✏️ Type a date
btn-nc-1h = In an hour
btn-nc-tmr = Tomorrow 10:00
btn-nc-3d = In 3 days
btn-nc-wk = Next week
btn-note-call = 📞 Call
btn-note-meeting = 🤝 Meeting
btn-note-email = ✉️ Email
btn-note-other = 📝 Other
btn-won-with = ✅ Won: { $amount }
btn-other-amount = ✏️ Another amount
btn-manager-load = { $name }{ $duty } · { $count } open
btn-yes = ✅ Yes, that's right
btn-earlier = Earlier
btn-later = Later
btn-open-card = 📇 Deal card

hint-stages = Pick a stage
hint-lost = Pick the reason
hint-nc = When to contact the client?
hint-hand = Who gets the deal?
hint-won = Close it with which amount?
hint-rewarm = When to get back to the client?

note-kind-call = call
note-kind-meeting = meeting
note-kind-email = email
note-kind-other = note

ask-stage-amount = To move the deal to “{ $stage }”, give the deal amount — e.g. 150000.
ask-stage-note = “{ $stage }” needs a comment: say briefly what happened.
ask-won-amount = 🏆 Congratulations! Type the final amount of the deal — e.g. 150000.
ask-loss-reason = Type the reason in your own words — it goes into the loss reasons report.
ask-note = 📝 Type the note — it goes into the deal's history. A call, a meeting or an email? Mark it below if you like.
ask-next-contact = When should you contact the client? Type e.g. “tomorrow 3pm”, “25.12 10:30”, “in 2 hours”.
ask-rewarm-date = When should you get back to the client? Type a date, e.g. “March 1” or “in 2 months”.
ask-reply = Type your reply to the client ({ $name }) — they get it from “{ $company }”. Text, photos and documents are fine.
ask-handover-reason = The new owner is { $name }. Say briefly why you hand the deal over — they will see it on the card.
confirm-next-contact = 📅 Next contact: <b>{ $at }</b>. Is that right?
confirm-day-off-weekend = ⚠️ That is a weekend day.
confirm-day-off-holiday = ⚠️ That is a public holiday, a day off.
btn-next-working-day = 📅 Move to { $day }

input-bad-amount = I couldn't read the amount. Type a number, e.g. 150000 or 1 200 000.
input-need-text = I need text here — a few words will do.
input-too-long = That's too long: please keep it under { $limit } characters.
input-bad-date = I couldn't read the date. Try “tomorrow 3pm”, “25.12 10:30” or “in 2 hours”.
input-date-past = That time has already passed ({ $at }). Give a time in the future.
input-date-too-far = That is too far ahead ({ $at }). Give a date within two years.
input-cannot-send = This kind of message can't be passed to the client. Send text, a photo, a document, a video or a voice message.
input-dropped = ✖ Typing stopped by the command — nothing was sent or changed.
input-not-pending = That question is no longer open — no answer is expected for it.
input-cancelled = Cancelled, nothing changed.

done-stage = The deal is at “{ $stage }” ✓
done-won = 🏆 The deal is won!
done-lost = The deal is closed, the reason is saved.
done-next-contact = Next contact: { $at } ✓
done-note = Note saved to the history ✓
done-reply = Sent to the client ✓
done-handed-over = The deal is handed over ✓
done-rewarmed = The client is in rewarming: deal #{ $id }, get in touch { $at }.

deal-error-not-found = There is no such deal — the card may be out of date.
deal-error-not-allowed = This is not your deal: only its manager and supervisors can act on it.
deal-error-stale = This card is out of date: the deal has changed. Here is the current one.
deal-error-closed = The deal is already closed.
deal-error-not-taken = Take the deal first.
deal-error-same-stage = The deal is already at this stage.
deal-error-unknown-stage = There is no such stage in the pipeline — the card may be out of date.
deal-error-won-from-first = A deal can't be won straight from the first stage — move it along the pipeline first.
deal-error-needs-amount = This stage needs the deal amount.
deal-error-needs-note = This stage needs a comment.
deal-error-unknown-reason = There is no such reason — pick one from the list.
deal-error-reason-text-required = For “Other”, type the reason in your own words.
deal-error-bad-amount = The amount must be above zero and at most a trillion.
deal-error-in-past = That time has passed. Pick a time in the future.
deal-error-not-lost = Only lost deals go to rewarming.
deal-error-already-rewarmed = This client is or has been in rewarming already: a client goes through it only once.
deal-error-has-open-deal = The client already has an open deal in this pipeline.
deal-error-no-chat = The client didn't come through Telegram — the bot can't write to them.
deal-error-bad-target = That person is not a manager on the team.
deal-error-same-owner = The deal is already theirs.
deal-error-empty-text = The text is empty — a few words, please.
deal-error-too-long = The text is too long.
deal-no-managers-to-hand = There is nobody to hand it to: no other managers on the team.

history-title = 📜 <b>History of deal #{ $id }</b> · page { $page } of { $pages }
history-empty = Nothing yet.
history-nobody = —
history-stage = ➡️ { $actor }: stage “{ $old }” → “{ $new }”
history-with-amount = , amount { $amount }
history-note = { $icon } { $actor }, { $kind }: { $text }
history-next-contact = 📅 { $actor }: next contact { $at }
history-won = 🏆 { $actor }: won, { $amount }
history-lost = ✖ { $actor }: lost — { $reason }
history-rewarmed = ♻️ { $actor }: client moved to rewarming, deal #{ $id }
history-reassigned = 🔁 { $actor }: handed over ({ $old } → { $new }) — { $reason }
history-unassigned = 📥 Back to unsorted: { $old } left the team
history-message-in = 💬 Client: { $text }
history-message-edited = ✏️ Client corrected a message: { $text }
history-message-out = ↩️ { $actor } → client: { $text }
history-created = 🆕 Request received
history-created-from = ♻️ { $actor }: opened from deal #{ $id } (pipeline “{ $pipeline }”)
history-taken = ✅ Taken by { $actor }
history-assigned = 👤 Assigned: { $new }
history-queued = 📥 Unsorted: no manager was free
history-request-repeated = 🔁 The client sent a request again
history-archived = 🗄 Archived: not a sales inquiry

content-text = [text]
content-photo = [photo]
content-document = [document]
content-video = [video]
content-audio = [audio]
content-voice = [voice message]
content-video_note = [video message]
content-sticker = [sticker]
content-animation = [GIF]
content-contact = [contact]
content-location = [location]
content-venue = [place]
content-poll = [poll]
content-dice = [dice]

reply-header = 💬 <b>{ $company }</b>
reply-not-linked = This message isn't linked to a deal. To answer a client, reply to their relayed message or press “💬 Reply” on the card.

notice-deal-handed-over = 🔁 <b>Deal #{ $id } is handed to you</b>. Previous owner: { $old }. Handed over by: { $by }. Why: { $reason }
notice-deal-handed-over-by-owner = 🔁 <b>Deal #{ $id } is handed to you</b>. Previous owner: { $old }. Why: { $reason }
notice-deal-taken-away = ↪️ Deal #{ $id } went to another manager. New owner: { $new }. Handed over by: { $by }. Why: { $reason }
notice-rewarm-deal = ♻️ <b>Deal #{ $id } in rewarming</b> — the client of deal #{ $old }.
deal-error-non-target = This inquiry was not a sales lead — there is no rewarming or follow-up for it.
loss-reason-non-target = not a sales inquiry
card-owner = 👤 Owner: { $owner }
card-returning-you = ↩️ Returning client — you worked with them before
card-returning = ↩️ Returning client — { $name } worked with them before
input-need-amount = I need the amount as a number — e.g. 150000 or “1.2m”.
input-need-date = I need a date in words or digits — e.g. “tomorrow 3pm” or “25.12 10:30”.
done-assigned = Owner assigned: { $name } ✓
notice-deal-assigned = 👤 <b>Deal #{ $id } is assigned to you</b>. Assigned by: { $by }.
history-assigned-by = 👤 { $actor }: owner assigned — { $new }

# The card: where the lead came from, how to reach the client, what intake noticed.
card-origin = 📍 Source: { $source } · channel: { $channel }
card-email = ✉️ { $email }
card-unfinished = 📝 Questionnaire not finished — the client didn't answer every question
card-duplicate-phone = ⚠️ Possible duplicate of deal #{ $id }: same phone
card-duplicate-name-digits = ⚠️ Possible duplicate of deal #{ $id }: same name and phone digits
card-duplicate-merged = 🔗 Contacts merged: the same client as in deal #{ $id }
card-other-open = 📂 The client has { $count ->
        [one] another open deal
       *[other] other open deals
    }: { $ids }
btn-open-twin = 📇 Deal #{ $id }
btn-merge = 🔗 Merge contacts
history-questionnaire-finished = 📝 The client finished the questionnaire

# Merging two contacts that are one person (README.md, "Possible duplicates and merging contacts").
merge-question-title = 🔗 <b>Merge these contacts?</b>
merge-contact = { $name } (contact #{ $id }): { $details }
merge-question-into = → into { $contact }
merge-question-deals = { $count ->
    [1] Deal { $ids } will move to “{ $kept }” with its history and messages.
   *[other] Deals { $ids } will move to “{ $kept }” with their history and messages.
}
merge-question-no-deals = “{ $merged }” has no deals.
merge-question-kept = The earlier contact stays. “{ $merged }” is kept in the archive, pointing to “{ $kept }” — nothing is deleted.
btn-merge-yes = ✅ Yes, merge
btn-merge-no = ✖ No
done-merged = Contacts merged ✓
merge-cancelled = Cancelled — the contacts were not merged.
merge-error-not-allowed = Only a supervisor or an admin can merge contacts.
merge-error-same-contact = That is the same contact — there is nothing to merge.
merge-error-not-found = There is no such contact — the button may be out of date.
merge-error-already-merged = These contacts are already merged.
merge-error-into-merged = That contact was already merged into another one — it can't be merged into.
history-contacts-merged = 🔗 { $actor }: contact “{ $merged }” (#{ $merged_id }) merged into “{ $kept }” (#{ $kept_id })
